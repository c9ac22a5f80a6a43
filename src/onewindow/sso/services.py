"""Writes of the single sign-on app: client registration, secret rotation, scope grants,
the revocation that follows a replayed authorisation code and the record of refused
protocol requests. Each write leaves an audit row."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_id_token_model,
    get_refresh_token_model,
)

from onewindow.audit.services import Actor, Outcome, audit_record
from onewindow.core.errors import ValidationFailed
from onewindow.sso import audit_events
from onewindow.sso.models import GRANTABLE_SCOPES, ClientPolicy, RedeemedCode

Application = get_application_model()


@dataclass(frozen=True)
class ClientCredentials:
    application: Any
    client_id: str
    client_secret: str  # shown once to the operator; only its hash is stored


@transaction.atomic
def client_register(
    *,
    actor: Actor,
    name: str,
    redirect_uris: Iterable[str],
    post_logout_redirect_uris: Iterable[str] = (),
    extra_scopes: Iterable[str] = (),
    department: Any = None,
    client_id: str | None = None,
) -> ClientCredentials:
    """A confidential department system using the authorization code flow with PKCE."""
    uris = [uri.strip() for uri in redirect_uris if uri.strip()]
    if not uris:
        raise ValidationFailed(_("至少需要一个回调地址。"), field="redirect_uris")
    scopes = sorted(set(extra_scopes))
    if not set(scopes) <= GRANTABLE_SCOPES:
        raise ValidationFailed(_("不支持的授权范围。"), field="extra_scopes")
    secret = generate_client_secret()
    fields: dict[str, Any] = {}
    if client_id:
        fields["client_id"] = client_id
    application = Application.objects.create(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(uris),
        post_logout_redirect_uris=" ".join(u.strip() for u in post_logout_redirect_uris),
        algorithm=Application.RS256_ALGORITHM,
        client_secret=secret,
        skip_authorization=False,
        **fields,
    )
    ClientPolicy.objects.create(application=application, department=department, extra_scopes=scopes)
    audit_record(
        actor=actor,
        action=audit_events.CLIENT_REGISTER,
        target=application,
        changes={"name": name, "redirect_uris": uris, "extra_scopes": scopes},
    )
    return ClientCredentials(application, application.client_id, secret)


@transaction.atomic(durable=True)
def client_secret_rotate(*, actor: Actor, application: Any) -> ClientCredentials:
    """A new secret replaces the old one at once; the old one stops working."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    secret = generate_client_secret()
    locked.client_secret = secret
    locked.save(update_fields=["client_secret", "updated"])
    audit_record(
        actor=actor,
        action=audit_events.CLIENT_ROTATE_SECRET,
        target=locked,
        changes={"client_secret": "changed"},
    )
    return ClientCredentials(locked, locked.client_id, secret)


@transaction.atomic(durable=True)
def client_scopes_set(
    *, actor: Actor, application: Any, extra_scopes: Iterable[str]
) -> ClientPolicy:
    scopes = sorted(set(extra_scopes))
    if not set(scopes) <= GRANTABLE_SCOPES:
        raise ValidationFailed(_("不支持的授权范围。"), field="extra_scopes")
    policy, _created = ClientPolicy.objects.select_for_update().get_or_create(
        application=application
    )
    before = sorted(policy.extra_scopes)
    if before == scopes:
        return policy
    policy.extra_scopes = scopes
    policy.save()
    audit_record(
        actor=actor,
        action=audit_events.CLIENT_SCOPES,
        target=application,
        changes={"extra_scopes": [before, scopes]},
    )
    return policy


@transaction.atomic(durable=True)
def protocol_refusal_record(*, actor: Actor, endpoint: str, client_id: str, reason: str) -> None:
    """A refused authorize/token/userinfo/logout request: who, which client, why."""
    audit_record(
        actor=actor,
        action=audit_events.PROTOCOL_REFUSE[endpoint],
        target_type="oauth2_provider.application",
        target_id=client_id[:64],
        outcome=Outcome.DENIED,
        purpose=reason[:200],
    )


def code_checksum(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


@transaction.atomic(durable=True)
def code_replay_revoke(*, actor: Actor, application: Any, code: str) -> int:
    """A code that was already exchanged is presented again (RFC 6749 §4.1.2): revoke every
    token its first use issued — the refresh-token family with the access tokens it
    minted, the first access token and their ID tokens. Returns how many access tokens
    were revoked; 0 and no audit row when the code was never redeemed by this client."""
    redeemed = RedeemedCode.objects.filter(
        code_checksum=code_checksum(code), application=application
    ).first()
    if redeemed is None:
        return 0
    access_tokens = get_access_token_model().objects.filter(application=application)
    refresh_tokens = get_refresh_token_model().objects.filter(application=application)
    doomed = access_tokens.filter(token_checksum=redeemed.access_token_checksum)
    if redeemed.token_family is not None:
        family = refresh_tokens.filter(token_family=redeemed.token_family)
        doomed = doomed | access_tokens.filter(pk__in=family.values("access_token_id"))
    doomed_ids = list(doomed.values_list("pk", flat=True))
    id_token_ids = list(
        doomed.exclude(id_token=None).values_list("id_token_id", flat=True).distinct()
    )
    if redeemed.token_family is not None:
        get_refresh_token_model().revoke_family(redeemed.token_family)
    access_tokens.filter(pk__in=doomed_ids).delete()
    get_id_token_model().objects.filter(pk__in=id_token_ids).delete()
    audit_record(
        actor=actor,
        action=audit_events.CODE_REPLAY,
        target=application,
        outcome=Outcome.DENIED,
        changes={"access_tokens_revoked": len(doomed_ids)},
        purpose="invalid_grant",
    )
    return len(doomed_ids)


@transaction.atomic(durable=True)
def sso_expired_purge(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete what can no longer be used: the toolkit's expired grants, access, refresh and ID
    tokens (``clear_expired``), and the checksums of redeemed codes older than a refresh
    token's lifetime — every token their first use issued has expired by then, so a replay
    has nothing left to revoke and the code itself expired long before. One audit row with
    the counts."""
    from oauth2_provider.models import clear_expired
    from oauth2_provider.settings import oauth2_settings

    now = now or timezone.now()
    lifetime = oauth2_settings.REFRESH_TOKEN_EXPIRE_SECONDS
    tokens_before = get_access_token_model().objects.count()
    refresh_before = get_refresh_token_model().objects.count()
    clear_expired()
    counts = {
        "access_tokens": tokens_before - get_access_token_model().objects.count(),
        "refresh_tokens": refresh_before - get_refresh_token_model().objects.count(),
        "redeemed_codes": 0,
    }
    if lifetime:
        cutoff = now - datetime.timedelta(seconds=int(lifetime))
        deleted, _by_model = RedeemedCode.objects.filter(redeemed_at__lt=cutoff).delete()
        counts["redeemed_codes"] = deleted
    audit_record(actor=Actor.system("sso.purge"), action=audit_events.EXPIRED_PURGE, changes=counts)
    return counts
