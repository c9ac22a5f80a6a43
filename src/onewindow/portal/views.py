from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render

from onewindow.core.access import PUBLIC, access
from onewindow.portal.selectors import home_sections_for, live_service_count, popular_services

logger = logging.getLogger(__name__)

STAFF_KINDS = frozenset({"staff", "operator"})


@access(PUBLIC)
def home(request: HttpRequest) -> HttpResponse:
    """One address for everyone: a public landing page, a resident's own page, or (for
    staff) the way to the workbench."""
    user = request.user
    kind = getattr(user, "kind", "")
    if user.is_authenticated and kind in STAFF_KINDS:
        return redirect("cases:workbench")
    if user.is_authenticated and kind == "resident":
        return render(request, "portal/home.html", {"sections": home_sections_for(user=user)})
    context = {"popular": popular_services(), "service_count": live_service_count()}
    return render(request, "portal/landing.html", context)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/404.html", status=404)


_FALLBACK_500 = (
    '<!doctype html><html lang="zh-Hans"><meta charset="utf-8">'
    "<title>服务暂时不可用 · OneWindow</title><main><h1>服务暂时不可用</h1>"
    '<p>系统出现错误，请稍后再试。</p><p><a href="/">返回首页</a></p></main></html>'
)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return render(request, "core/500.html", status=500)
    except Exception:  # the error page must not fail in turn
        logger.exception("rendering the 500 page failed")
        return HttpResponseServerError(_FALLBACK_500)
