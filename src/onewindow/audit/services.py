"""Writing audit rows. Call ``audit_record`` inside the transaction of the use case it records.

The rows form a keyed hash chain (``onewindow.audit.chain``): each row's hash is an HMAC with
an audit key from the environment, named by the row's ``kid``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

# The keyed chain machinery is re-exported for the exchange's call log (a chain of its own).
from onewindow.audit.chain import GENESIS as GENESIS
from onewindow.audit.chain import Chain as Chain
from onewindow.audit.chain import ChainBreak as ChainBreak
from onewindow.audit.chain import ChainBrokenError as ChainBrokenError
from onewindow.audit.chain import Checkpoint as Checkpoint
from onewindow.audit.chain import CheckpointError as CheckpointError
from onewindow.audit.chain import checkpoint_read as checkpoint_read
from onewindow.audit.chain import checkpoint_write as checkpoint_write
from onewindow.audit.commands import ChainCheckpointCommand as ChainCheckpointCommand
from onewindow.audit.models import AuditChainHead, AuditEvent
from onewindow.core.crypto.digests import suite_hash_name
from onewindow.core.logging import request_id_var

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

# What an audit row says of the attempt it records: ``audit_record(outcome=Outcome.DENIED)``.
Outcome = AuditEvent.Outcome

HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_kind",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "outcome",
    "changes",
    "purpose",
    "ip",
    "request_id",
    "alg",
    "prev_hash",
)


@dataclass(frozen=True)
class Actor:
    id: int | None
    kind: str
    label: str
    ip: str = ""

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(id=None, kind="system", label=label)

    @classmethod
    def from_user(cls, user: AbstractBaseUser | AnonymousUser | None, *, ip: str = "") -> Actor:
        if user is None or not getattr(user, "is_authenticated", False):
            return cls(id=None, kind="anonymous", label="anonymous", ip=ip)
        return cls(id=user.pk, kind=getattr(user, "kind", "user"), label=user.get_username(), ip=ip)

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        return cls.from_user(getattr(request, "user", None), ip=client_ip(request))


def client_ip(request: HttpRequest) -> str:
    """The client's address. Behind ``TRUSTED_PROXY_HOPS`` reverse proxies (nginx, a load
    balancer) it is the entry that many hops from the right of X-Forwarded-For; entries further
    left were written by the client and are not trusted."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    hops = int(getattr(settings, "TRUSTED_PROXY_HOPS", 0))
    if hops > 0:
        forwarded = [
            part.strip()
            for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            remote = forwarded[-hops]
    return remote[:45]


AUDIT_CHAIN = Chain(
    name="audit", fields=HASHED_FIELDS, row_model=AuditEvent, head_model=AuditChainHead
)


def audit_checkpoint_write(*, directory: Path) -> tuple[Checkpoint, Path | None]:
    """A signed checkpoint of the chain's head in ``directory``, after verifying the rows since
    the newest checkpoint there (None for the path: the head has not moved, nothing written).
    Raises ChainBrokenError or CheckpointError."""
    return AUDIT_CHAIN.checkpoint_to_directory(directory)


@dataclass(frozen=True)
class AuditEntry:
    """What one audit row says, as a use case's step returns it (a step runs in its caller's
    transaction and writes no row of its own): the use case that ran the step records it as
    its row (:meth:`record`), or, when it is one step of a bigger use case, puts it in that
    one's row (:meth:`step`, in ``changes["steps"]``)."""

    action: str
    target: Model
    changes: Mapping[str, Any] = field(default_factory=dict)
    outcome: str = Outcome.OK

    def record(self, *, actor: Actor) -> AuditEvent:
        """The entry as its own row (:func:`audit_record`)."""
        return audit_record(
            actor=actor,
            action=self.action,
            target=self.target,
            outcome=self.outcome,
            changes=self.changes,
        )

    def step(self) -> dict[str, Any]:
        """The entry as one step of another row's ``changes["steps"]``."""
        return {
            "action": self.action,
            "target": f"{self.target._meta.label_lower}:{self.target.pk}",
            "outcome": str(self.outcome),
            "changes": json.loads(json.dumps(dict(self.changes), default=str)),
        }


def audit_record(
    *,
    actor: Actor,
    action: str,
    target: Model | None = None,
    target_type: str = "",
    target_id: str = "",
    outcome: str = Outcome.OK,
    changes: Mapping[str, Any] | None = None,
    purpose: str = "",
) -> AuditEvent:
    """Append one chained row. Must run inside the use case's transaction.

    It locks the chain's head row until that transaction ends, so every write of the platform
    passes through it one at a time: call it as the LAST step of a use case, after the slow
    work, to keep the time the lock is held short."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic")
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
    seq, prev_hash = _head_advance()
    alg, kid = suite_hash_name(), AUDIT_CHAIN.current_kid()
    fields: dict[str, Any] = {
        "seq": seq,
        "at": timezone.now(),
        "actor_id": actor.id,
        "actor_kind": actor.kind,
        "actor_label": actor.label[:150],
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "outcome": str(outcome),
        "changes": dict(changes or {}),
        "purpose": purpose[:200],
        "ip": actor.ip,
        "request_id": request_id_var.get() if request_id_var.get() != "-" else "",
        "alg": alg,
        "prev_hash": prev_hash,
    }
    # Round-trip through JSON so the hash covers what the database will give back.
    fields["changes"] = json.loads(json.dumps(fields["changes"], default=str))
    row_hash = AUDIT_CHAIN.row_hash(fields, alg=alg, kid=kid)
    assert row_hash is not None  # the current key is configured by definition
    event = AuditEvent(**fields, kid=kid, hash=row_hash)
    _append(event)
    return event


# The chain's head and rows are written with fixed SQL: every audited write of the platform
# passes through here while holding the head's lock, so the statements are few and short.
HEAD = AuditChainHead._meta.db_table
EVENTS = AuditEvent._meta.db_table
_EVENT_FIELDS = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]


def _head_advance() -> tuple[int, str]:
    """Lock the head row and move it one row on, in one statement: returns the new row's
    ``seq`` and the previous row's hash (the head's hash is set by ``_append``)."""
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {HEAD} SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash"  # noqa: S608
        )
        row = cursor.fetchone()
    if row is None:  # a new database: the head row is created on the first write
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        head.seq += 1
        head.save(update_fields=["seq"])
        return head.seq, head.hash
    return int(row[0]), str(row[1])


_INSERTS: dict[str, str] = {}  # the row's INSERT by database kind, built on first use


def _insert_sql(connection: Any) -> str:
    sql = _INSERTS.get(connection.vendor)
    if sql is None:
        columns = ", ".join(connection.ops.quote_name(f.column) for f in _EVENT_FIELDS)
        marks = ", ".join(["%s"] * len(_EVENT_FIELDS))
        sql = f"INSERT INTO {EVENTS} ({columns}) VALUES ({marks}) RETURNING id"  # noqa: S608
        _INSERTS[connection.vendor] = sql
    return sql


def _append(event: AuditEvent) -> None:
    """Insert the row and set the head's hash to it: one statement on PostgreSQL (a data-
    modifying WITH), two on SQLite, which has no such WITH."""
    connection = transaction.get_connection()
    insert = _insert_sql(connection)
    values = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in _EVENT_FIELDS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH e AS ({insert}) UPDATE {HEAD} SET hash = %s WHERE id = 1 "  # noqa: S608
                "RETURNING (SELECT id FROM e)",
                [*values, event.hash],
            )
            (event.pk,) = cursor.fetchone()
        else:
            cursor.execute(insert, values)
            (event.pk,) = cursor.fetchone()
            cursor.execute(f"UPDATE {HEAD} SET hash = %s WHERE id = 1", [event.hash])  # noqa: S608
    event._state.adding = False
    event._state.db = connection.alias


def changed_fields(
    before: Mapping[str, Any], after: Mapping[str, Any], *, secret: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """``{field: [old, new]}`` for fields that changed; secret fields show only that they did."""
    out: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            out[key] = "changed" if key in secret else [old, new]
    return out
