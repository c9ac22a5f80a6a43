from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from onewindow.audit.services import (
    AUDIT_CHAIN,
    ChainBrokenError,
    CheckpointError,
    audit_checkpoint_write,
    checkpoint_write,
)


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint of the audit chain's head (position, hash, time) after "
        "verifying the chain. Keep checkpoints where the database's writers cannot reach them."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--out",
            metavar="FILE",
            help="write here after verifying the whole chain (default: continue the newest "
            "checkpoint in ONEWINDOW_AUDIT_CHECKPOINT_DIR, verifying the rows since)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path: Path | None
            if options["out"]:
                path = Path(options["out"])
                checkpoint = AUDIT_CHAIN.checkpoint_take()
                checkpoint_write(checkpoint, path)
            else:
                checkpoint, path = audit_checkpoint_write(
                    directory=Path(settings.AUDIT_CHECKPOINT_DIR)
                )
        except (ChainBrokenError, CheckpointError) as exc:
            raise CommandError(f"no audit checkpoint written: {exc}") from None
        if path is None:
            self.stdout.write(f"audit head unchanged since checkpoint {checkpoint.describe()}")
        else:
            self.stdout.write(f"audit checkpoint {checkpoint.describe()} written to {path}")
