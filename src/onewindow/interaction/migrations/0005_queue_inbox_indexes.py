# The dispatcher's queue urgent first from its own partial index; the inbox as it opens, and
# of one part status, in deadline order straight from an index (ties by id); the objections
# and requests for more time waiting for the office found by partial indexes.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('interaction', '0004_open311_key'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='assignment',
            name='interaction_assign_due',
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(fields=['department', 'status', 'answer_due', 'id'], name='interaction_assign_due_id'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(condition=models.Q(('status__in', ['pending', 'signed'])), fields=['department', 'answer_due', 'id'], name='interaction_assign_active'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(condition=models.Q(('status', 'objected')), fields=['request'], name='interaction_assign_objected'),
        ),
        migrations.AddIndex(
            model_name='extension',
            index=models.Index(condition=models.Q(('status', 'pending')), fields=['assignment'], name='interaction_extension_pending'),
        ),
        migrations.AddIndex(
            model_name='request',
            index=models.Index(models.Case(models.When(then=models.Value(0), urgency='urgent'), default=models.Value(1), output_field=models.IntegerField()), models.F('registered_at'), models.F('id'), condition=models.Q(('status', 'registered')), name='interaction_queue_urgent'),
        ),
    ]
