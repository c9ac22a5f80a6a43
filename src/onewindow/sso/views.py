"""The provider's endpoints: django-oauth-toolkit's views, each with its access policy, and
every refusal recorded in the audit trail with its reason.

Authorisation (the consent screen) is for logged-in residents; the token, userinfo, JWKS,
discovery and logout endpoints are public at the page level because the protocol itself
authenticates their callers (client secret + PKCE verifier, bearer token, ID token hint)."""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlparse

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider import views as dot
from oauth2_provider.www_authenticate import build_bearer_challenge

from onewindow.audit.services import Actor
from onewindow.core.access import PUBLIC, RESIDENT, access, allowed
from onewindow.sso import capabilities
from onewindow.sso.authorize import AuthorizationView
from onewindow.sso.claims import SCOPE_OF_CLAIM
from onewindow.sso.services import protocol_refusal_record

logger = logging.getLogger(__name__)


_CHALLENGE_ERROR = re.compile(r'error="([^"]*)"')


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
    challenge = response.headers.get("WWW-Authenticate", "")
    if challenge:
        found = _CHALLENGE_ERROR.search(challenge)
        return found.group(1) if found else "invalid_token"
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


def _json_content_type(response: HttpResponse) -> None:
    """An oauthlib error raised outside its grant's own handling comes back without a
    Content-Type; its body is JSON, so say so."""
    if response.status_code >= 400 and response.content.startswith(b"{"):
        response["Content-Type"] = "application/json"


class UserInfoView(dot.UserInfoView):
    """Userinfo takes the access token from the ``Authorization: Bearer`` header only
    (RFC 6750 §2.1). A token in the query string (§2.3) ends up in logs and Referer
    headers, and one in a form body (§2.2) is refused too, so that there is one way to send
    it: either gets 401 with an ``invalid_request`` challenge."""

    def _create_userinfo_response(self, request: HttpRequest) -> HttpResponse:
        if "access_token" in request.GET or "access_token" in request.POST:
            error = {
                "error": "invalid_request",
                "error_description": (
                    "Send the access token in the Authorization header "
                    "(Authorization: Bearer <token>), not in the URL or the request body."
                ),
            }
            response = JsonResponse(error, status=401)
            response["WWW-Authenticate"] = build_bearer_challenge(request, error)
            response["Cache-Control"] = "no-store"
            return response
        response = super()._create_userinfo_response(request)
        _json_content_type(response)
        return response


class TokenView(dot.TokenView):
    """Only the grant types in ``capabilities.GRANT_TYPES``; any other is
    ``unsupported_grant_type`` (RFC 6749 §5.2) before django-oauth-toolkit sees it."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("grant_type") not in capabilities.GRANT_TYPES:
            response = JsonResponse({"error": "unsupported_grant_type"}, status=400)
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
            return response
        response = super().post(request, *args, **kwargs)
        _json_content_type(response)
        return response


class DiscoveryView(dot.ConnectDiscoveryInfoView):
    """OpenID Provider metadata saying exactly what is served. Every capability field is
    set from ``capabilities`` (the claims from the claim table; the scopes are the
    ``SCOPES`` setting, as django-oauth-toolkit lists them), including those whose
    absence would mean a default we do not serve (``grant_types_supported`` defaults to
    implicit, ``request_uri_parameter_supported`` to true, ``response_modes_supported``
    to fragment too)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        document = json.loads(response.content)
        document.update(
            {
                "response_types_supported": list(capabilities.RESPONSE_TYPES),
                "response_modes_supported": list(capabilities.RESPONSE_MODES),
                "grant_types_supported": list(capabilities.GRANT_TYPES),
                "subject_types_supported": list(capabilities.SUBJECT_TYPES),
                "id_token_signing_alg_values_supported": list(capabilities.ID_TOKEN_SIGNING_ALGS),
                "token_endpoint_auth_methods_supported": list(
                    capabilities.TOKEN_ENDPOINT_AUTH_METHODS
                ),
                "code_challenge_methods_supported": list(capabilities.CODE_CHALLENGE_METHODS),
                "claims_supported": list(SCOPE_OF_CLAIM),
                "prompt_values_supported": list(capabilities.PROMPT_VALUES),
                "claims_parameter_supported": False,
                "request_parameter_supported": False,
                "request_uri_parameter_supported": False,
                "authorization_response_iss_parameter_supported": True,
            }
        )
        answer = JsonResponse(document)
        answer["Access-Control-Allow-Origin"] = "*"
        return answer


_authorize_view = _audited("authorize", AuthorizationView.as_view())
_authorize_resident = access(RESIDENT)(_authorize_view)


@wraps(_authorize_resident)
def authorize(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Residents only; but prompt=none from anyone else gets login_required at the
    client's redirect URI instead of the login page (OpenID Connect Core §3.1.2.1)."""
    prompt = request.GET.get("prompt", "").split()
    if request.method == "GET" and "none" in prompt and not allowed(request, RESIDENT):
        return _authorize_view(request, *args, **kwargs)
    return _authorize_resident(request, *args, **kwargs)


token = csrf_exempt(access(PUBLIC)(_audited("token", TokenView.as_view())))
revoke = csrf_exempt(access(PUBLIC)(_audited("revoke", dot.RevokeTokenView.as_view())))
userinfo = csrf_exempt(access(PUBLIC)(_audited("userinfo", UserInfoView.as_view())))
discovery = access(PUBLIC)(DiscoveryView.as_view())
jwks = access(PUBLIC)(dot.JwksInfoView.as_view())
logout = access(PUBLIC)(_audited("logout", dot.RPInitiatedLogoutView.as_view()))
