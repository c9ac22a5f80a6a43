"""API authentication: the browser session (pages' own JSON calls, CSRF-checked) or a bearer
token for machine clients (department systems)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from onewindow.identity.tokens import api_token_authenticate


class SessionAuth(APIKeyCookie):
    """Authenticated Django session; CSRF is enforced for unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(raw_token=token)
        if user is not None:
            request.user = user
        return user


session_or_bearer = [SessionAuth(), BearerAuth()]
