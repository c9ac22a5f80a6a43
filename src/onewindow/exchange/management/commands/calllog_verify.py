from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onewindow.audit.services import CheckpointError, checkpoint_read
from onewindow.exchange.calllog import CALLLOG_CHAIN, calllog_verify
from onewindow.exchange.models import CallLogHead


class Command(BaseCommand):
    help = (
        "Verify the exchange gateway's call log (a keyed hash chain); exit 1 naming the first "
        "broken row. With --against, the log must also still hold a signed checkpoint's head."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--against",
            metavar="CHECKPOINT",
            help="a checkpoint file, or a directory of them (its newest is used)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = None
        if options["against"]:
            try:
                checkpoint = checkpoint_read(Path(options["against"]), chain=CALLLOG_CHAIN.name)
            except CheckpointError as exc:
                raise CommandError(f"call log checkpoint refused: {exc}") from None
        problem = calllog_verify(checkpoint=checkpoint)
        if problem is not None:
            where = f"row #{problem.seq}"
            if problem.row_id is not None:
                where += f" (id {problem.row_id})"
            raise CommandError(f"call log chain broken at {where}: {problem.reason}")
        head = CallLogHead.objects.filter(id=1).first()
        message = f"call log chain intact: {head.seq if head else 0} rows"
        if checkpoint is not None:
            message += f"; holds checkpoint {checkpoint.describe()}"
        self.stdout.write(message)
