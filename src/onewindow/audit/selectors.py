"""Reading and verifying the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from onewindow.audit.models import AuditChainHead, AuditEvent
from onewindow.audit.services import GENESIS, HASHED_FIELDS, event_hash


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    event_id: int | None
    reason: str


def audit_chain_verify(*, batch_size: int = 5000) -> ChainProblem | None:
    """Walk the chain in order; return the first problem found, or None if it is intact."""
    expected_seq, prev = 1, GENESIS
    for event in _iter_events(batch_size):
        if event.seq != expected_seq:
            return ChainProblem(
                expected_seq,
                None if event.seq > expected_seq else event.id,
                f"row #{expected_seq} is missing (found #{event.seq} next)",
            )
        if event.prev_hash != prev:
            return ChainProblem(
                event.seq, event.id, "previous-hash link does not match the row before it"
            )
        fields = {name: getattr(event, name) for name in HASHED_FIELDS}
        if event_hash(fields, event.alg) != event.hash:
            return ChainProblem(event.seq, event.id, "row content does not match its hash")
        prev, expected_seq = event.hash, expected_seq + 1
    head = AuditChainHead.objects.filter(id=1).first()
    last_seq = expected_seq - 1
    if head is not None and (head.seq != last_seq or head.hash != prev):
        return ChainProblem(
            last_seq + 1, None, f"chain ends at #{last_seq} but the head records #{head.seq}"
        )
    return None


def _iter_events(batch_size: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq


def audit_events_for_target(*, target_type: str, target_id: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(target_type=target_type, target_id=target_id).order_by("seq")
