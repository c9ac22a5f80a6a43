"""The gateway's call log: its own hash chain (same scheme as the audit trail, separate
table and head), so owners can show that nobody removed or altered a call afterwards."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from onewindow.core.crypto.digests import chain_hash, suite_hash_name
from onewindow.exchange.models import CallLog, CallLogHead

GENESIS = "0" * 64
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


def call_hash(fields: Mapping[str, Any], alg: str) -> str:
    return chain_hash(fields, HASHED_FIELDS, alg=alg)


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
    alg = suite_hash_name()
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
    entry = CallLog(**row, hash=call_hash(row, alg))
    entry.save(force_insert=True)
    head.seq, head.hash = entry.seq, entry.hash
    head.save(update_fields=["seq", "hash"])
    return entry


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str


def calllog_verify() -> ChainProblem | None:
    """The first changed, deleted or inserted row, or None when the chain is intact."""
    expected, prev = 1, GENESIS
    for row in CallLog.objects.order_by("seq").iterator(chunk_size=2000):
        if row.seq != expected:
            return ChainProblem(expected, f"row #{expected} is missing")
        if row.prev_hash != prev:
            return ChainProblem(row.seq, "previous-hash link does not match")
        values = {name: getattr(row, name) for name in HASHED_FIELDS}
        if call_hash(values, row.alg) != row.hash:
            return ChainProblem(row.seq, "row content does not match its hash")
        prev, expected = row.hash, expected + 1
    head = CallLogHead.objects.filter(id=1).first()
    if head is not None and (head.seq != expected - 1 or head.hash != prev):
        return ChainProblem(expected, f"chain ends at #{expected - 1}, head records #{head.seq}")
    return None
