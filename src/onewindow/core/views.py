from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from onewindow.core.access import PUBLIC, access
from onewindow.core.health import health_report


@access(PUBLIC)
def healthz(request: HttpRequest) -> HttpResponse:
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@require_POST
@access(PUBLIC)
def elder_mode_toggle(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    on = request.COOKIES.get("ow_elder") != "1"
    response.set_cookie("ow_elder", "1" if on else "0", max_age=365 * 86400, samesite="Lax")
    return response
