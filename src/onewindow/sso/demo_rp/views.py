"""The demo relying party: a department system that logs residents in through OneWindow.
Mounted at /demo-rp/ only in the demo and in tests. It keeps its own state under its own
session keys; a real department system would run on its own host."""

from __future__ import annotations

import hmac
import logging
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from oauth2_provider.settings import oauth2_settings

from onewindow.core.access import PUBLIC, access
from onewindow.sso.demo_rp import client

logger = logging.getLogger(__name__)

FLOW = "demo_rp_flow"
USER = "demo_rp_user"


def _issuer(request: HttpRequest) -> str:
    return str(oauth2_settings.OIDC_ISS_ENDPOINT or request.build_absolute_uri("/o")).rstrip("/")


def _callback(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("demo_rp:callback"))


@access(PUBLIC)
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "demo_rp/home.html",
        {
            "rp_user": request.session.get(USER),
            "client_name": client.CLIENT_NAME,
            "error": request.GET.get("error", ""),
        },
    )


@access(PUBLIC)
@require_POST
def login(request: HttpRequest) -> HttpResponse:
    start = client.login_start(issuer=_issuer(request), redirect_uri=_callback(request))
    request.session[FLOW] = {"state": start.state, "nonce": start.nonce, "verifier": start.verifier}
    return redirect(start.url)


def _failed(request: HttpRequest, reason: str) -> HttpResponse:
    logger.info("demo relying party refused a login: %s", reason)
    request.session.pop(FLOW, None)
    return redirect(reverse("demo_rp:home") + "?" + urlencode({"error": "1"}))


@access(PUBLIC)
def callback(request: HttpRequest) -> HttpResponse:
    flow = request.session.get(FLOW)
    state = request.GET.get("state", "")
    code = request.GET.get("code", "")
    if not flow or not hmac.compare_digest(state, flow["state"]):
        return _failed(request, "state mismatch")
    issuer = _issuer(request)
    try:
        metadata = client.provider_metadata(issuer=issuer)
        client.check_response_issuer(
            issuer=issuer,
            received=request.GET.getlist("iss"),
            required=metadata.get("authorization_response_iss_parameter_supported") is True,
        )
    except client.IdTokenRejected as exc:
        return _failed(request, str(exc))
    if not code:
        return _failed(request, request.GET.get("error", "no code"))
    try:
        tokens = client.exchange_code(
            issuer=issuer, code=code, redirect_uri=_callback(request), verifier=flow["verifier"]
        )
        claims = client.verify_id_token(
            issuer=issuer, id_token=tokens["id_token"], nonce=flow["nonce"]
        )
        info = client.userinfo(issuer=issuer, access_token=tokens["access_token"])
    except client.IdTokenRejected as exc:
        return _failed(request, str(exc))
    if info.get("sub") != claims.get("sub"):
        return _failed(request, "userinfo subject differs")
    request.session.pop(FLOW, None)
    request.session[USER] = {
        "sub": claims["sub"],
        "name": info.get("name", ""),
        "phone": info.get("phone_number", ""),
        "id_token": tokens["id_token"],
    }
    return redirect("demo_rp:home")


@access(PUBLIC)
@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Forget the resident here, then ask OneWindow to end its session too (RP-initiated
    logout), coming back to this system's home page."""
    rp_user = request.session.pop(USER, None)
    if not rp_user:
        return redirect("demo_rp:home")
    query = urlencode(
        {
            "id_token_hint": rp_user["id_token"],
            "client_id": client.CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("demo_rp:home")),
        }
    )
    return redirect(f"{_issuer(request)}/logout/?{query}")
