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
    bases = list(base_urls)
    redirect_uris = _uris(bases, "/demo-rp/callback/")
    logout_uris = _uris(bases, "/demo-rp/")
    Application = get_application_model()
    actor = Actor.system("demo-seed")
    existing = Application.objects.filter(client_id=demo_client.CLIENT_ID).first()
    if existing is None:
        credentials = client_register(
            actor=actor,
            name=demo_client.CLIENT_NAME,
            redirect_uris=redirect_uris,
            post_logout_redirect_uris=logout_uris,
            client_id=demo_client.CLIENT_ID,
        )
        application = credentials.application
    else:
        application = existing
    # The demo relying party derives its secret from SECRET_KEY; only the hash is stored.
    application.client_secret = demo_client.client_secret()
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
