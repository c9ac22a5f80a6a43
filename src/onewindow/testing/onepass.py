"""The library's web system registered as an OpenID Connect client of OneWindow, the way an
operator registers a department system (``sso.services.client_register``): for the browser
test where a resident opens the library with the same account."""

from __future__ import annotations

from typing import Any

from onewindow.audit.services import Actor
from onewindow.onepass.selectors import library_web_client
from onewindow.sso.services import client_register


def library_web_register(*, base_url: str, settings: Any) -> str:
    """Register the library's web system for ``base_url``; its secret goes into the
    settings the relying party reads. Returns the client id."""
    spec = library_web_client(base_urls=[base_url])
    credentials = client_register(actor=Actor.system("test"), **spec.as_kwargs())  # type: ignore[arg-type]
    settings.ONEPASS_LIBRARY_WEB_SECRET = credentials.client_secret
    return credentials.client_id
