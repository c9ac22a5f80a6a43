"""The library's web system registered as an OpenID Connect client of OneWindow, the way an
operator registers a department system (``sso.services.client_register``): for the browser
test where a resident opens the library with the same account."""

from __future__ import annotations

from typing import Any

from onewindow.audit.services import Actor
from onewindow.onepass.library_web import client
from onewindow.sso.services import client_register


def library_web_register(*, base_url: str, settings: Any) -> str:
    """Register the library's web system for ``base_url``; its secret goes into the
    settings the relying party reads. Returns the client id."""
    credentials = client_register(
        actor=Actor.system("test"),
        name=client.CLIENT_NAME,
        redirect_uris=[base_url.rstrip("/") + client.CALLBACK_PATH],
        post_logout_redirect_uris=[base_url.rstrip("/") + client.HOME_PATH],
        extra_scopes=["realname"],
        client_id=client.CLIENT_ID,
    )
    settings.ONEPASS_LIBRARY_WEB_SECRET = credentials.client_secret
    return credentials.client_id
