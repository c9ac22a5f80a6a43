"""The rating of a case moves to ratings (one rating model for the platform, 好差评).

Every concluded case (准予 or 不予) becomes a ratings ``Subject``, so it can still be rated;
each old rating (1–5 stars) becomes a ``Rating`` of that level (5 非常满意 … 1 非常不满意)
with only the overall dimension, its comment as the text, its time kept. Old bad ratings
open no rectification (they were given before there was one). Then the cases ``Rating``
table goes.

Backwards, the old rows are made again from the ratings of cases (the ratings rows stay,
and going forwards again finds them there)."""

from django.db import migrations
from django.db.models import Q

CONCLUDED = ("approved", "rejected")


def _handler(CaseTask, case_id):
    return (
        CaseTask.objects.filter(case_id=case_id, status="completed")
        .order_by("-completed_at", "-pk")
        .values_list("completed_by_id", flat=True)
        .first()
    )


def cases_ratings_to_ratings(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseTask = apps.get_model("cases", "CaseTask")
    OldRating = apps.get_model("cases", "Rating")
    Subject = apps.get_model("ratings", "Subject")
    Rating = apps.get_model("ratings", "Rating")
    old = {row.case_id: row for row in OldRating.objects.all()}
    cases = (
        Case.objects.filter(Q(status__in=CONCLUDED) | Q(pk__in=list(old)))
        .exclude(number=None)
        .exclude(number="")
        .select_related("service_version__service")
        .order_by("pk")
    )
    for case in cases.iterator(chunk_size=500):
        if Subject.objects.filter(kind="case", ref=str(case.pk)).exists():
            continue
        rating = old.get(case.pk)
        service = case.service_version.service
        concluded_at = (
            case.concluded_at or (rating.created_at if rating is not None else None) or case.updated_at
        )
        subject = Subject.objects.create(
            kind="case",
            ref=str(case.pk),
            number=case.number,
            title=service.name[:200],
            channel="online",
            service_code=service.code[:100],
            service_name=service.name[:200],
            department_id=service.department_id,
            handled_by_id=_handler(CaseTask, case.pk),
            rater_id=case.created_by_id,
            person_id=case.applicant_person_id or case.agent_id,
            link=f"/cases/{case.number}/",
            concluded_at=concluded_at,
        )
        if rating is None:
            continue
        level = min(max(int(rating.score), 1), 5)
        new = Rating.objects.create(
            subject=subject,
            level=level,
            dimensions={"overall": level},
            reasons=[],
            text=(rating.comment or "").strip(),
            via="web",
            rated_by_id=rating.rated_by_id,
            real_name=subject.person_id is not None,
        )
        Rating.objects.filter(pk=new.pk).update(created_at=rating.created_at)


def ratings_to_cases_ratings(apps, schema_editor):
    OldRating = apps.get_model("cases", "Rating")
    Rating = apps.get_model("ratings", "Rating")
    Case = apps.get_model("cases", "Case")
    known = set(Case.objects.values_list("pk", flat=True))
    rows = Rating.objects.filter(subject__kind="case", rated_by__isnull=False).select_related(
        "subject"
    )
    for rating in rows.iterator(chunk_size=500):
        case_id = int(rating.subject.ref)
        if case_id not in known or OldRating.objects.filter(case_id=case_id).exists():
            continue
        row = OldRating.objects.create(
            case_id=case_id,
            score=rating.level,
            comment=rating.text,
            rated_by_id=rating.rated_by_id,
        )
        OldRating.objects.filter(pk=row.pk).update(created_at=rating.created_at)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_task_held_by_company"),
        ("ratings", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(cases_ratings_to_ratings, ratings_to_cases_ratings),
        migrations.DeleteModel(name="Rating"),
    ]
