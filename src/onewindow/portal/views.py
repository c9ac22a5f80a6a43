from __future__ import annotations

import logging

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from onewindow.audit.services import Actor
from onewindow.core.access import PUBLIC, RESIDENT, access
from onewindow.identity.http import AuthenticatedHttpRequest
from onewindow.portal.inbox import message_centre
from onewindow.portal.selectors import (
    company_page_for,
    live_service_count,
    popular_services,
    resident_home_page,
)
from onewindow.portal.services import message_read_mark, messages_read_mark_all

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
        return render(request, "portal/home.html", {"page": resident_home_page(user=user)})
    context = {"popular": popular_services(), "service_count": live_service_count()}
    return render(request, "portal/landing.html", context)


@access(RESIDENT)
@never_cache
def company_home(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    """A company's page (企业主页) for a person who acts for it today; 404 for anyone else."""
    page = company_page_for(user=request.user, uscc=uscc)
    if page is None:
        raise Http404
    return render(request, "portal/company.html", {"page": page})


@access(RESIDENT)
@never_cache
def messages_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """站内信: every in-app message, newest first, filtered by kind and unread."""
    centre = message_centre(
        user=request.user,
        kind=request.GET.get("kind", ""),
        unread_only=request.GET.get("unread") == "1",
        page=request.GET.get("page", "1"),
    )
    return render(request, "portal/messages.html", {"centre": centre})


@access(RESIDENT)
@never_cache
def message_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Open one message: it is read from now on, and the page goes to what it is about."""
    from onewindow.notify.selectors import inbox_message_get

    message = inbox_message_get(user_id=request.user.pk, message_id=pk)
    if message is None:
        raise Http404
    if message.unread:
        message_read_mark(actor=Actor.from_request(request), user=request.user, message_id=pk)
    link = message.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("portal:messages")


@access(RESIDENT)
@require_POST
def messages_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = messages_read_mark_all(actor=Actor.from_request(request), user=request.user)
    if count:
        flash.success(request, _("已将全部消息标为已读。"))
    return redirect("portal:messages")


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
