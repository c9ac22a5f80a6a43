"""The provider's endpoints: django-oauth-toolkit's views, each with its access policy, and
every refusal recorded in the audit trail with its reason.

Authorisation (the consent screen) is for logged-in residents; the token, userinfo, JWKS,
discovery and logout endpoints are public at the page level because the protocol itself
authenticates their callers (client secret + PKCE verifier, bearer token, ID token hint)."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlparse

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider import views as dot

from onewindow.audit.services import Actor
from onewindow.core.access import PUBLIC, RESIDENT, access
from onewindow.sso.services import protocol_refusal_record

logger = logging.getLogger(__name__)


def _refusal_reason(response: HttpResponse) -> str | None:
    """The OAuth error code of a refused request, or None when the request succeeded."""
    if response.status_code in (301, 302):
        query = parse_qs(urlparse(response.headers.get("Location", "")).query)
        return query["error"][0] if "error" in query else None
    if response.status_code < 400:
        return None
    content_type = response.headers.get("Content-Type", "")
    if "json" in content_type and not getattr(response, "streaming", False):
        try:
            body = json.loads(response.content or b"{}")
        except ValueError:
            body = {}
        if isinstance(body, dict) and body.get("error"):
            return str(body["error"])
    if response.headers.get("WWW-Authenticate"):
        return "invalid_token"
    return f"http_{response.status_code}"


def _basic_client_id(request: HttpRequest) -> str:
    """The client id of HTTP Basic client authentication (the id is not secret)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Basic "):
        return ""
    try:
        decoded = base64.b64decode(header[6:], validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return "(unreadable)"
    return unquote_plus(decoded.partition(":")[0])


def _audited(endpoint: str, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        reason = _refusal_reason(response)
        if reason is not None and request.method in ("GET", "POST"):
            client_id = request.POST.get("client_id") or request.GET.get("client_id") or ""
            if not client_id:
                client_id = _basic_client_id(request)
            logger.info("sso %s refused: %s client=%s", endpoint, reason, client_id)
            protocol_refusal_record(
                actor=Actor.from_request(request),
                endpoint=endpoint,
                client_id=client_id,
                reason=reason,
            )
        return response

    wrapper.__name__ = f"sso_{endpoint}"
    wrapper.__doc__ = view.__doc__
    return wrapper


authorize = access(RESIDENT)(_audited("authorize", dot.AuthorizationView.as_view()))
token = csrf_exempt(access(PUBLIC)(_audited("token", dot.TokenView.as_view())))
revoke = csrf_exempt(access(PUBLIC)(_audited("revoke", dot.RevokeTokenView.as_view())))
userinfo = csrf_exempt(access(PUBLIC)(_audited("userinfo", dot.UserInfoView.as_view())))
discovery = access(PUBLIC)(dot.ConnectDiscoveryInfoView.as_view())
jwks = access(PUBLIC)(dot.JwksInfoView.as_view())
logout = access(PUBLIC)(_audited("logout", dot.RPInitiatedLogoutView.as_view()))
