"""The management commands every keyed hash chain has (the audit trail's ``audit_checkpoint``
and ``audit_verify``, the exchange call log's ``calllog_checkpoint`` and ``calllog_verify``):
each command names its chain and how its messages call it. Other apps take these from
``onewindow.audit.services`` (checkpoint) and ``onewindow.audit.selectors`` (verify)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from onewindow.audit.chain import (
    Chain,
    ChainBrokenError,
    Checkpoint,
    CheckpointError,
    checkpoint_read,
    checkpoint_write,
)


class ChainCheckpointCommand(BaseCommand):
    """Write a signed checkpoint of ``chain``'s head: to ``--out`` after verifying the whole
    chain, else continuing the newest checkpoint in ONEWINDOW_AUDIT_CHECKPOINT_DIR. A broken
    chain or an unreadable checkpoint exits 1, nothing written."""

    chain: ClassVar[Chain]
    label: ClassVar[str]  # "audit", "call log": how the messages name the chain
    noun: ClassVar[str] = "chain"  # what --out's help verifies the whole of

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--out",
            metavar="FILE",
            help=f"write here after verifying the whole {self.noun} (default: continue the "
            "newest checkpoint in ONEWINDOW_AUDIT_CHECKPOINT_DIR, verifying the rows since)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path: Path | None
            if options["out"]:
                path = Path(options["out"])
                checkpoint = self.chain.checkpoint_take()
                checkpoint_write(checkpoint, path)
            else:
                checkpoint, path = self.chain.checkpoint_to_directory(
                    Path(settings.AUDIT_CHECKPOINT_DIR)
                )
        except (ChainBrokenError, CheckpointError) as exc:
            raise CommandError(f"no {self.label} checkpoint written: {exc}") from None
        if path is None:
            self.stdout.write(
                f"{self.label} head unchanged since checkpoint {checkpoint.describe()}"
            )
        else:
            self.stdout.write(f"{self.label} checkpoint {checkpoint.describe()} written to {path}")


class ChainVerifyCommand(BaseCommand):
    """Verify ``chain``; exit 1 naming the first broken row. With ``--against``, the chain
    must also still hold a signed checkpoint's head."""

    chain: ClassVar[Chain]
    label: ClassVar[str]  # "audit", "call log": how the messages name the chain
    batch_size: ClassVar[int] = 5000  # rows read at a time

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--against",
            metavar="CHECKPOINT",
            help="a checkpoint file, or a directory of them (its newest is used)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint: Checkpoint | None = None
        if options["against"]:
            try:
                checkpoint = checkpoint_read(Path(options["against"]), chain=self.chain.name)
            except CheckpointError as exc:
                raise CommandError(f"{self.label} checkpoint refused: {exc}") from None
        problem = self.chain.verify(checkpoint=checkpoint, batch_size=self.batch_size)
        if problem is not None:
            where = f"row #{problem.seq}"
            if problem.row_id is not None:
                where += f" (id {problem.row_id})"
            raise CommandError(f"{self.label} chain broken at {where}: {problem.reason}")
        head = self.chain.head()
        message = f"{self.label} chain intact: {head.seq if head else 0} rows"
        if checkpoint is not None:
            message += f"; holds checkpoint {checkpoint.describe()}"
        self.stdout.write(message)
