"""The library's own web system (a demo, mounted at /onepass/library-web/ in the demo and in
tests): residents log in with OneWindow and see and renew their loans there. It keeps its
reader under its own session key, as a system on its own host would keep its own session."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from oauth2_provider.settings import oauth2_settings

from onewindow.core.access import PUBLIC, access
from onewindow.onepass import catalogue, conf
from onewindow.onepass.library_web import client
from onewindow.onepass.providers.base import ProviderError, ProviderRefused

logger = logging.getLogger(__name__)
FLOW = "library_web_flow"
READER = "library_web_reader"


def _issuer(request: HttpRequest) -> str:
    return str(oauth2_settings.OIDC_ISS_ENDPOINT or request.build_absolute_uri("/o")).rstrip("/")


def _reader_card(citizen_id: str) -> tuple[str, str]:
    """The library registers readers by citizen ID: the card of this resident."""
    patron_id = catalogue.opened_patron_id(citizen_id)
    return patron_id, catalogue.opened_password(patron_id)


def _page(request: HttpRequest, *, notice: str = "", error: str = "") -> HttpResponse:
    reader: dict[str, Any] | None = request.session.get(READER)
    context: dict[str, Any] = {
        "reader": reader,
        "library_name": client.CLIENT_NAME,
        "notice": notice,
        "error": error or ("1" if request.GET.get("error") else ""),
    }
    if reader:
        patron_id, password = _reader_card(reader["citizen_id"])
        try:
            context["account"] = conf.library().account_get(patron_id=patron_id, password=password)
        except ProviderError:
            context["down"] = True
    return render(request, "onepass/library_web/home.html", context)


@access(PUBLIC)
def home(request: HttpRequest) -> HttpResponse:
    return _page(request)


@access(PUBLIC)
@require_POST
def login(request: HttpRequest) -> HttpResponse:
    start = client.login_start(
        issuer=_issuer(request), redirect_uri=request.build_absolute_uri(client.CALLBACK_PATH)
    )
    request.session[FLOW] = {"state": start.state, "nonce": start.nonce, "verifier": start.verifier}
    return redirect(start.url)


@access(PUBLIC)
def callback(request: HttpRequest) -> HttpResponse:
    flow = request.session.pop(FLOW, None)
    state = request.GET.get("state", "")
    code = request.GET.get("code", "")
    failed = redirect(reverse("onepass:library_web_home") + "?error=1")
    if not flow or not code or not hmac.compare_digest(state, flow["state"]):
        logger.info("library web login refused: no flow, no code or a state mismatch")
        return failed
    try:
        info = client.login_finish(
            issuer=_issuer(request),
            code=code,
            received_iss=request.GET.getlist("iss"),
            redirect_uri=request.build_absolute_uri(client.CALLBACK_PATH),
            verifier=flow["verifier"],
            nonce=flow["nonce"],
        )
    except client.LoginRejected as exc:
        logger.info("library web login refused: %s", exc)
        return failed
    if not info.get("citizen_id"):
        return failed
    request.session[READER] = {
        "sub": info["sub"],
        "name": info.get("name", ""),
        "citizen_id": info["citizen_id"],
    }
    return redirect("onepass:library_web_home")


@access(PUBLIC)
@require_POST
def renew(request: HttpRequest) -> HttpResponse:
    reader = request.session.get(READER)
    if not reader:
        return redirect("onepass:library_web_home")
    patron_id, password = _reader_card(reader["citizen_id"])
    item_id = request.POST.get("item_id", "")[:32]
    try:
        outcome = conf.library().loan_renew(patron_id=patron_id, password=password, item_id=item_id)
    except ProviderRefused as exc:
        return _page(request, error=exc.reason or _("续借失败。"))
    except ProviderError:
        return _page(request, error=_("借阅系统暂时无法访问，请稍后再试。"))
    return _page(
        request,
        notice=_("《%(title)s》续借成功，应还日期 %(due)s。")
        % {"title": outcome.title, "due": outcome.due_on.isoformat()},
    )


@access(PUBLIC)
@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    request.session.pop(READER, None)
    return redirect("onepass:library_web_home")
