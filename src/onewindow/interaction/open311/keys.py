"""Open311 keys: issued (the plaintext answered once), revoked, checked on every use."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import ValidationFailed
from onewindow.interaction import audit_events
from onewindow.interaction.models import Open311Key

if TYPE_CHECKING:
    from onewindow.identity.models import User

KEY_START = "ow311_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open311_key_issue(
    *, user: User | None, name: str, department_id: int | None = None
) -> tuple[Open311Key, str]:
    """Issue a key; the plaintext is answered here and never kept."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_("请填写密钥名称（不超过100个字）。"), code="name", field="name")
    prefix = secrets.token_hex(4)
    plain = f"{KEY_START}{prefix}_{secrets.token_urlsafe(24)}"
    with transaction.atomic(durable=True):
        key = Open311Key.objects.create(
            name=name,
            department_id=department_id,
            prefix=prefix,
            key_hash=_hash(plain),
            created_by=user,
        )
        audit_record(
            actor=Actor.from_user(user) if user else Actor.system("open311_key_issue"),
            action=audit_events.OPEN311_KEY_ISSUE,
            target=key,
            changes={"name": name, "prefix": prefix, "department_id": department_id},
        )
    return key, plain


def open311_key_revoke(*, user: User | None, key_id: int) -> Open311Key:
    with transaction.atomic(durable=True):
        key = Open311Key.objects.select_for_update().get(pk=key_id)
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
        audit_record(
            actor=Actor.from_user(user) if user else Actor.system("open311_key_revoke"),
            action=audit_events.OPEN311_KEY_REVOKE,
            target=key,
            changes={"prefix": key.prefix},
        )
    return key


def open311_key_check(plain: str) -> Open311Key | None:
    """The live key ``plain`` is, or None."""
    if not plain.startswith(KEY_START):
        return None
    prefix = plain[len(KEY_START) :].split("_", 1)[0]
    key = Open311Key.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.key_hash, _hash(plain)):
        return None
    return key


def open311_key_use(*, key: Open311Key, endpoint: str, outcome: str, ip: str = "") -> None:
    """Record one use of a key (audited) and its last use."""
    with transaction.atomic(durable=True):
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
        audit_record(
            actor=Actor(id=None, kind="open311", label=f"open311:{key.prefix}", ip=ip),
            action=audit_events.OPEN311_KEY_USE,
            target=key,
            changes={"prefix": key.prefix, "endpoint": endpoint, "outcome": outcome},
        )
