from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from onewindow.audit.services import ChainBrokenError, CheckpointError, checkpoint_write
from onewindow.exchange.calllog import CALLLOG_CHAIN, calllog_checkpoint_write


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint of the exchange call log's head (position, hash, time) after "
        "verifying the log. Keep checkpoints where the database's writers cannot reach them."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--out",
            metavar="FILE",
            help="write here after verifying the whole log (default: continue the newest "
            "checkpoint in ONEWINDOW_AUDIT_CHECKPOINT_DIR, verifying the rows since)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path: Path | None
            if options["out"]:
                path = Path(options["out"])
                checkpoint = CALLLOG_CHAIN.checkpoint_take()
                checkpoint_write(checkpoint, path)
            else:
                checkpoint, path = calllog_checkpoint_write(
                    directory=Path(settings.AUDIT_CHECKPOINT_DIR)
                )
        except (ChainBrokenError, CheckpointError) as exc:
            raise CommandError(f"no call log checkpoint written: {exc}") from None
        if path is None:
            self.stdout.write(f"call log head unchanged since checkpoint {checkpoint.describe()}")
        else:
            self.stdout.write(f"call log checkpoint {checkpoint.describe()} written to {path}")
