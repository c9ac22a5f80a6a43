"""The authorisation endpoint: django-oauth-toolkit's consent view, serving only what
``capabilities`` lists and answering every request the way discovery says it will.

- Every authorisation response — a code or an error — carries ``iss`` equal to the
  discovery document's ``issuer`` (RFC 9207 §2).
- ``response_mode`` other than ``query``, a PKCE method other than ``S256`` and the
  ``request`` / ``request_uri`` parameters are refused at once, before the consent page,
  rather than silently ignored (or, for ``plain``, refused only after consent).
- ``prompt=none`` never shows a page: ``login_required`` when no resident is logged in,
  ``consent_required`` when this client has no consent for these scopes yet.
- ``prompt=login`` ends the OneWindow session and asks the resident to log in again.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from oauth2_provider import views as dot
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings
from oauthlib.oauth2.rfc6749.errors import InvalidRequestError, OAuth2Error
from oauthlib.openid.connect.core.exceptions import (
    ConsentRequired,
    LoginRequired,
    RequestNotSupported,
    RequestURINotSupported,
)

from onewindow.core.access import RESIDENT, allowed
from onewindow.sso import capabilities


def with_issuer(uri: str, issuer: str) -> str:
    """``uri`` with exactly one ``iss`` parameter, ``issuer``, beside the response's other
    parameters (the fragment if the response is there, else the query)."""
    parts = list(urlparse(uri))
    query = [(k, v) for k, v in parse_qsl(parts[4], keep_blank_values=True) if k != "iss"]
    fragment = [(k, v) for k, v in parse_qsl(parts[5], keep_blank_values=True) if k != "iss"]
    (fragment if parts[5] else query).append(("iss", issuer))
    parts[4], parts[5] = urlencode(query), urlencode(fragment)
    return urlunparse(parts)


def _prompt(request: HttpRequest) -> set[str]:
    return set(request.GET.get("prompt", "").split())


def _unserved_parameter(request: HttpRequest, state: str | None) -> OAuth2Error | None:
    mode = request.GET.get("response_mode")
    if mode is not None and mode not in capabilities.RESPONSE_MODES:
        return InvalidRequestError(
            description=f"response_mode {mode!r} is not supported; use query.", state=state
        )
    method = request.GET.get("code_challenge_method", "plain")  # RFC 7636 §4.3 default
    if "code_challenge" in request.GET and method not in capabilities.CODE_CHALLENGE_METHODS:
        return InvalidRequestError(
            description=f"code_challenge_method {method!r} is not supported; use S256.",
            state=state,
        )
    if "request" in request.GET:
        return RequestNotSupported(state=state)
    if "request_uri" in request.GET:
        return RequestURINotSupported(state=state)
    return None


class AuthorizationView(dot.AuthorizationView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "GET" and "none" in _prompt(request):
            self.oauth2_data: dict[str, Any] = {}
            if not allowed(request, RESIDENT):
                return self._silent_refusal(request, LoginRequired)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        if "none" in _prompt(request) and response.status_code == 200:
            # It would show the consent page: prompt=none forbids that.
            return self._silent_refusal(request, ConsentRequired)
        return response

    def validate_authorization_request(self, request: HttpRequest) -> Any:
        scopes, credentials = super().validate_authorization_request(request)
        refusal = _unserved_parameter(request, credentials.get("state"))
        if refusal is not None:
            raise OAuthToolkitError(error=refusal, redirect_uri=credentials["redirect_uri"])
        return scopes, credentials

    def handle_prompt_login(self) -> HttpResponse:
        logout(self.request)  # the login page lets a logged-in resident straight through
        return super().handle_prompt_login()

    def redirect(self, redirect_to: str, application: Any) -> HttpResponse:
        issuer = oauth2_settings.oidc_issuer(self.request)
        return super().redirect(with_issuer(redirect_to, issuer), application)

    def _silent_refusal(self, request: HttpRequest, error: type[OAuth2Error]) -> HttpResponse:
        try:
            _scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as invalid:
            return self.error_response(invalid, application=None)
        application = get_application_model().objects.get(client_id=credentials["client_id"])
        refusal = OAuthToolkitError(
            error=error(state=credentials.get("state")), redirect_uri=credentials["redirect_uri"]
        )
        return self.error_response(refusal, application)
