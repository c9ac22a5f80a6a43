"""The owners' page: their resources, access requests waiting for a decision, and the
gateway's call log for their resources (with the chain's verification)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from onewindow.core.access import STAFF, access
from onewindow.core.errors import ApplicationError
from onewindow.core.numbers import is_ascii_number
from onewindow.exchange import selectors, services
from onewindow.exchange.calllog import calllog_verify

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest


@access(STAFF)
def owner_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        raw = str(request.POST.get("request", ""))
        rate = str(request.POST.get("rate", "60"))
        try:
            if not is_ascii_number(raw) or not is_ascii_number(rate, max_digits=6):
                raise ApplicationError(_("请求参数不正确。"))
            services.access_request_decide(
                user=request.user,
                request_id=int(raw),
                approve=request.POST.get("decision") == "approve",
                fields=request.POST.getlist("fields") or None,
                rate_per_minute=int(rate),
            )
            messages.success(request, _("已处理该申请。"))
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        return redirect("exchange:owner_home")
    problem = calllog_verify()
    return render(
        request,
        "exchange/owner_home.html",
        {
            "resources": selectors.resources_for_owner(user=request.user),
            "pending": selectors.access_requests_pending_for(user=request.user),
            "calls": selectors.calls_for_owner(user=request.user),
            "chain_problem": problem,
        },
    )
