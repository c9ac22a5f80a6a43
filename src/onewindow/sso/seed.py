"""The demo city's department system that logs in through OneWindow (the demo relying
party at /demo-rp/). Idempotent: an existing client keeps its id and gets the current
redirect URIs and the demo secret back."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from oauth2_provider.models import get_application_model

from onewindow.audit.services import Actor, audit_record
from onewindow.sso import audit_events
from onewindow.sso.demo_rp import client as demo_client
from onewindow.sso.services import client_register


def _uris(base_urls: Iterable[str], path: str) -> list[str]:
    return [base.rstrip("/") + path for base in base_urls]


@transaction.atomic
def demo_client_seed(*, base_urls: Iterable[str]) -> object:
    """The demo department system at /demo-rp/."""
    bases = list(base_urls)
    return _client_seed(
        client_id=demo_client.CLIENT_ID,
        name=demo_client.CLIENT_NAME,
        redirect_uris=_uris(bases, "/demo-rp/callback/"),
        logout_uris=_uris(bases, "/demo-rp/"),
        secret=demo_client.client_secret(),
    )


@transaction.atomic
def library_client_seed(*, base_urls: Iterable[str]) -> object:
    """The library's own web system (一号通行): residents open it with their OneWindow
    account and the ``realname`` scope finds their reader record."""
    from onewindow.onepass.selectors import library_web_client, library_web_secret

    spec = library_web_client(base_urls=base_urls)
    return _client_seed(
        client_id=spec.client_id,
        name=spec.name,
        redirect_uris=list(spec.redirect_uris),
        logout_uris=list(spec.post_logout_redirect_uris),
        secret=library_web_secret(),
        extra_scopes=spec.extra_scopes,
    )


def _client_seed(
    *,
    client_id: str,
    name: str,
    redirect_uris: list[str],
    logout_uris: list[str],
    secret: str,
    extra_scopes: Iterable[str] = (),
) -> object:
    """Register the client once; on every later run give it the current redirect URIs and
    its derived secret back (only the hash is stored)."""
    Application = get_application_model()
    actor = Actor.system("demo-seed")
    existing = Application.objects.filter(client_id=client_id).first()
    if existing is None:
        credentials = client_register(
            actor=actor,
            name=name,
            redirect_uris=redirect_uris,
            post_logout_redirect_uris=logout_uris,
            extra_scopes=extra_scopes,
            client_id=client_id,
        )
        application = credentials.application
    else:
        application = existing
    application.client_secret = secret
    application.redirect_uris = " ".join(redirect_uris)
    application.post_logout_redirect_uris = " ".join(logout_uris)
    application.save()
    audit_record(
        actor=actor,
        action=audit_events.CLIENT_DEMO_SEED,
        target=application,
        changes={"redirect_uris": redirect_uris, "client_secret": "changed"},
    )
    return application
