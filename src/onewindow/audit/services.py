"""Writing audit rows. Call ``audit_record`` inside the transaction of the use case it records."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from onewindow.audit.models import AuditChainHead, AuditEvent
from onewindow.core.crypto.digests import chain_hash, suite_hash_name
from onewindow.core.logging import request_id_var

GENESIS = "0" * 64
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
    def from_user(cls, user: Any, *, ip: str = "") -> Actor:
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


def event_hash(fields: Mapping[str, Any], alg: str) -> str:
    return chain_hash(fields, HASHED_FIELDS, alg=alg)


def audit_record(
    *,
    actor: Actor,
    action: str,
    target: Model | None = None,
    target_type: str = "",
    target_id: str = "",
    outcome: str = AuditEvent.Outcome.OK,
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
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    alg = suite_hash_name()
    fields: dict[str, Any] = {
        "seq": head.seq + 1,
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
        "prev_hash": head.hash,
    }
    # Round-trip through JSON so the hash covers what the database will give back.
    fields["changes"] = json.loads(json.dumps(fields["changes"], default=str))
    event = AuditEvent(**fields, hash=event_hash(fields, alg))
    event.save(force_insert=True)
    head.seq, head.hash = event.seq, event.hash
    head.save(update_fields=["seq", "hash"])
    return event


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
