from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onewindow.audit.models import AuditChainHead
from onewindow.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit 1 naming the first broken row."

    def handle(self, *args: Any, **options: Any) -> None:
        problem = audit_chain_verify()
        if problem is not None:
            where = f"row #{problem.seq}"
            if problem.event_id is not None:
                where += f" (id {problem.event_id})"
            raise CommandError(f"audit chain broken at {where}: {problem.reason}")
        head = AuditChainHead.objects.filter(id=1).first()
        self.stdout.write(f"audit chain intact: {head.seq if head else 0} rows")
