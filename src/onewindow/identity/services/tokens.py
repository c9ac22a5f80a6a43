"""Bearer tokens for machine clients. A token is ``ow_<prefix>_<secret>``; only a hash of it
is stored, so a database leak does not leak usable tokens."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from onewindow.audit.services import Actor, audit_record
from onewindow.core.crypto.digests import constant_time_equal, digest
from onewindow.identity import audit_events
from onewindow.identity.models import ApiToken, User


def _hash(raw: str) -> str:
    return digest(raw.encode(), alg="sha256")


@transaction.atomic(durable=True)
def api_token_create(
    *, actor: Actor, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored."""
    prefix = secrets.token_hex(4)
    raw = f"ow_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, token_hash=_hash(raw), expires_at=expires_at
    )
    audit_record(
        actor=actor,
        action=audit_events.API_TOKEN_CREATE,
        target=token,
        changes={"user": user.pk, "name": name},
    )
    return token, raw


@transaction.atomic(durable=True)
def api_token_revoke(*, actor: Actor, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action=audit_events.API_TOKEN_REVOKE, target=token)


def api_token_authenticate(*, raw_token: str) -> User | None:
    parts = raw_token.split("_", 2)
    if len(parts) != 3 or parts[0] != "ow":
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if token is None or not constant_time_equal(token.token_hash, _hash(raw_token)):
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
