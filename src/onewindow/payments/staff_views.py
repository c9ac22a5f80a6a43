"""Reconciliation pages for finance staff and operators (``payments.reconcile_payments``):
runs by day and gateway, the differences each run flagged, re-running a day, and settling a
difference with a note or a refund through the gateway (with a confirmation step)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onewindow.audit.services import Actor
from onewindow.cases.selectors import applicant_label, staff_case_visible
from onewindow.core.access import STAFF, access
from onewindow.core.errors import ApplicationError
from onewindow.core.forms import apply_errors
from onewindow.payments import reconciliation, selectors
from onewindow.payments.forms import RefundForm, ResolveForm, RunForm, gateway_label
from onewindow.payments.models import PaymentEvent, ReconciliationRun, Refund
from onewindow.payments.providers.base import fen_to_yuan
from onewindow.payments.reconciliation import RECONCILE_PERMISSION

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest

WINDOW_DAYS = 31


def _ran(request: HttpRequest, run: ReconciliationRun) -> None:
    if run.status == ReconciliationRun.Status.OK:
        messages.success(
            request,
            _("对账完成：发现 %(n)s 项差异，%(c)s 项复核一致。")
            % {"n": run.mismatches, "c": run.cleared},
        )
    else:
        messages.error(request, _("对账失败：%(error)s") % {"error": run.error})


@access(STAFF, perm=RECONCILE_PERMISSION)
@require_http_methods(["GET", "POST"])
def reconciliation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    gateways = selectors.gateways_for_reconciliation()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    form = RunForm(
        request.POST if request.method == "POST" else None,
        gateways=gateways,
        initial={"day": yesterday, "gateway": gateways[0] if gateways else ""},
    )
    if request.method == "POST" and form.is_valid():
        run = reconciliation.reconcile_run(
            day=form.cleaned_data["day"],
            gateway=form.cleaned_data["gateway"],
            user=request.user,
            actor=Actor.from_request(request),
        )
        _ran(request, run)
        return redirect("payments:reconciliation_day", day=run.day.isoformat(), gateway=run.gateway)
    chosen = request.GET.get("gateway", "")
    chosen = chosen if chosen in gateways else ""
    today = timezone.localdate()
    days = selectors.reconciliation_days(
        since=today - datetime.timedelta(days=WINDOW_DAYS), until=today, gateway=chosen
    )
    return render(
        request,
        "payments/reconciliation_list.html",
        {
            "form": form,
            "days": days,
            "gateways": [(g, gateway_label(g)) for g in gateways],
            "chosen": chosen,
            "window": WINDOW_DAYS,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise Http404 from None


@access(STAFF, perm=RECONCILE_PERMISSION)
@require_http_methods(["GET", "POST"])
def reconciliation_day(request: AuthenticatedHttpRequest, day: str, gateway: str) -> HttpResponse:
    when = _day(day)
    if gateway not in selectors.gateways_for_reconciliation():
        raise Http404
    if request.method == "POST":
        if when > timezone.localdate():
            messages.error(request, _("对账日期不能晚于今天。"))
        else:
            run = reconciliation.reconcile_run(
                day=when, gateway=gateway, user=request.user, actor=Actor.from_request(request)
            )
            _ran(request, run)
        return redirect("payments:reconciliation_day", day=when.isoformat(), gateway=gateway)
    return render(
        request,
        "payments/reconciliation_day.html",
        {
            "day": when,
            "gateway": gateway,
            "gateway_label": gateway_label(gateway),
            "runs": selectors.runs_of_day(day=when, gateway=gateway),
            "rows": selectors.mismatches_of_day(day=when, gateway=gateway),
        },
    )


@access(STAFF, perm=RECONCILE_PERMISSION)
@require_http_methods(["GET", "POST"])
def mismatch_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """POST ``action=resolve`` closes the difference with a note; ``action=refund`` checks the
    amount and asks to confirm, and with ``step=confirm`` refunds through the gateway."""
    mismatch = selectors.mismatch_get(pk=pk)
    if mismatch is None:
        raise Http404
    order = selectors.mismatch_order(mismatch)
    suggestion = selectors.refund_suggestion(mismatch, order)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    resolve_form = ResolveForm(request.POST if action == "resolve" else None)
    refund_form = RefundForm(
        request.POST if action == "refund" else None,
        initial={"amount": fen_to_yuan(suggestion)} if suggestion else {},
    )
    confirming = False
    confirming_paid = False
    actor = Actor.from_request(request)
    try:
        if action == "confirm_paid":
            if request.POST.get("step") != "confirm":
                confirming_paid = True
            else:
                try:
                    reconciliation.mismatch_confirm_paid(
                        user=request.user, mismatch_id=mismatch.pk, actor=actor
                    )
                except ApplicationError as exc:  # changed meanwhile: say so on the page
                    messages.error(request, str(exc.message))
                else:
                    messages.success(request, _("已按对账单确认缴费，办件将继续办理。"))
                return redirect("payments:mismatch", pk=mismatch.pk)
        if action == "resolve" and resolve_form.is_valid():
            reconciliation.mismatch_resolve(
                user=request.user,
                mismatch_id=mismatch.pk,
                note=resolve_form.cleaned_data["note"],
                actor=actor,
            )
            messages.success(request, _("差异已处理。"))
            return redirect("payments:mismatch", pk=mismatch.pk)
        if action == "refund" and refund_form.is_valid():
            if request.POST.get("step") != "confirm":
                confirming = True
            else:
                refund = reconciliation.mismatch_refund(
                    user=request.user,
                    mismatch_id=mismatch.pk,
                    amount_fen=refund_form.amount_fen(),
                    reason=refund_form.cleaned_data["reason"],
                    actor=actor,
                )
                if refund.status == Refund.Status.SUCCEEDED:
                    messages.success(request, _("退款成功，差异已处理。"))
                else:
                    messages.error(request, _("支付平台退款失败，差异仍待处理。"))
                return redirect("payments:mismatch", pk=mismatch.pk)
    except ApplicationError as exc:
        apply_errors(resolve_form if action == "resolve" else refund_form, exc)
    case = order.case if order is not None else None
    return render(
        request,
        "payments/mismatch.html",
        {
            "mismatch": mismatch,
            "gateway_label": gateway_label(mismatch.gateway),
            "order": order,
            "events": (
                list(PaymentEvent.objects.filter(order=order).order_by("-created_at", "-pk")[:10])
                if order is not None
                else []
            ),
            "refunds": list(order.refunds.order_by("-created_at")) if order is not None else [],
            "case": case,
            "applicant": applicant_label(case) if case is not None else "",
            "case_link": case is not None
            and bool(case.number)
            and staff_case_visible(user=request.user, case=case),
            "resolve_form": resolve_form,
            "refund_form": refund_form,
            "may_refund": suggestion > 0,
            "may_confirm_paid": selectors.paid_there_open_here(mismatch, order),
            "confirming_paid": confirming_paid,
            "confirming": confirming,
        },
        status=400 if (resolve_form.errors or refund_form.errors) else 200,
    )
