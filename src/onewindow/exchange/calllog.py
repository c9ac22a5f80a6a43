"""The gateway's call log: its own keyed hash chain (the audit trail's scheme, ``audit.chain``,
in a separate table, head and checkpoints), so owners can show that nobody removed or altered
a call afterwards."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from onewindow.audit.services import Chain, ChainBreak, Checkpoint
from onewindow.core.crypto.digests import suite_hash_name
from onewindow.exchange.models import CallLog, CallLogHead

HASHED_FIELDS = (
    "seq",
    "at",
    "consumer_id_value",
    "resource_code",
    "owner_department_id",
    "purpose",
    "request_id",
    "subject_ref",
    "fields",
    "outcome",
    "reason",
    "case_number",
    "ip",
    "alg",
    "prev_hash",
)


CALLLOG_CHAIN = Chain(
    name="exchange.calllog", fields=HASHED_FIELDS, row_model=CallLog, head_model=CallLogHead
)


def call_hash(fields: Mapping[str, Any], *, alg: str, kid: str) -> str | None:
    return CALLLOG_CHAIN.row_hash(fields, alg=alg, kid=kid)


def calllog_lock() -> CallLogHead:
    """Lock the chain's head for the rest of the transaction (serialises calls, so the rate
    count and the appended row agree)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the call log is written inside transaction.atomic")
    head, _ = CallLogHead.objects.select_for_update().get_or_create(id=1)
    return head


def calllog_append(
    *,
    consumer: str,
    resource_code: str,
    outcome: str,
    reason: str = "",
    purpose: str = "",
    request_id: str = "",
    subject_ref: str = "",
    fields: list[str] | None = None,
    owner_department_id: int | None = None,
    case_number: str = "",
    ip: str = "",
) -> CallLog:
    head = calllog_lock()
    alg, kid = suite_hash_name(), CALLLOG_CHAIN.current_kid()
    row: dict[str, Any] = {
        "seq": head.seq + 1,
        "at": timezone.now(),
        "consumer_id_value": consumer[:64],
        "resource_code": resource_code[:80],
        "owner_department_id": owner_department_id,
        "purpose": purpose[:200],
        "request_id": request_id[:64],
        "subject_ref": subject_ref[:64],
        "fields": sorted(fields or []),
        "outcome": outcome,
        "reason": reason[:64],
        "case_number": case_number[:32],
        "ip": ip[:45],
        "alg": alg,
        "prev_hash": head.hash,
    }
    row_hash = call_hash(row, alg=alg, kid=kid)
    assert row_hash is not None  # the current key is configured by definition
    entry = CallLog(**row, kid=kid, hash=row_hash)
    entry.save(force_insert=True)
    head.seq, head.hash = entry.seq, entry.hash
    head.save(update_fields=["seq", "hash"])
    return entry


ChainProblem = ChainBreak


def calllog_verify(*, checkpoint: Checkpoint | None = None) -> ChainProblem | None:
    """The first changed, deleted or inserted row, or None when the chain is intact; with
    ``checkpoint``, also rows cut off the end (the chain must still hold its head)."""
    return CALLLOG_CHAIN.verify(checkpoint=checkpoint, batch_size=2000)


def calllog_checkpoint_write(*, directory: Path) -> tuple[Checkpoint, Path | None]:
    """A signed checkpoint of the call log's head in ``directory``, after verifying the rows
    since the newest checkpoint there (None for the path: unchanged, nothing written).
    Raises ChainBrokenError or CheckpointError."""
    return CALLLOG_CHAIN.checkpoint_to_directory(directory)
