"""API authentication: the browser session (pages' own JSON calls, CSRF-checked) or a bearer
token for machine clients (department systems).

Only the session is an ambient credential (the browser sends its cookie on a cross-site
request too), so only a request that is authenticated by its session is CSRF-checked. A
request that names a bearer token in ``Authorization`` is decided by the token alone: a
cross-site page cannot set that header, so there is nothing to forge. A request with neither
is answered 401 (not a CSRF refusal): it has no credential to protect."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from onewindow.core.errors import PermissionDenied
from onewindow.identity.services import api_token_authenticate

logger = logging.getLogger(__name__)
_SCHEME = re.compile(r"\A[A-Za-z][A-Za-z0-9-]{0,19}\Z")


def authorization_scheme(request: HttpRequest) -> str:
    """The scheme of the ``Authorization`` header, lower-cased ("" without one)."""
    value = request.headers.get("Authorization", "")
    return value.split(" ", 1)[0].strip().lower() if value else ""


class SessionAuth(APIKeyCookie):
    """Authenticated Django session; CSRF is enforced for unsafe methods."""

    param_name = "sessionid"

    def __call__(self, request: HttpRequest) -> Any:
        if authorization_scheme(request) == "bearer":
            return None  # the caller chose its token: BearerAuth decides, nothing ambient
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        exempt = not self.csrf or getattr(request, "_ninja_csrf_exempt", False)
        # A body Django cannot parse (a multipart body without a boundary) raises in the
        # check; the API's handler answers it 400 (errors.install_error_handlers).
        if not exempt and check_csrf(request) is not None:
            raise PermissionDenied(
                _("安全校验失败（CSRF），请刷新页面后重试。"), code="csrf_failed"
            )
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover
        return None  # __call__ reads the session itself


class BearerAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        value = request.headers.get(self.header, "")
        scheme, _sep, token = value.partition(" ")
        if not value or scheme.lower() != self.openapi_scheme:
            if value:
                # Never the header's value: Basic and other schemes carry credentials, and a
                # token sent without its scheme would otherwise be written out whole.
                shown = scheme if token and _SCHEME.match(scheme) else "?"
                logger.info("API Authorization header of scheme %s ignored (redacted)", shown)
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(raw_token=token)
        if user is not None:
            request.user = user
        return user


session_or_bearer = [SessionAuth(), BearerAuth()]
