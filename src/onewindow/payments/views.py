"""Resident payment pages and the gateway's notification endpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from onewindow.cases.selectors import case_for_user
from onewindow.core.access import PUBLIC, RESIDENT, access
from onewindow.core.numbers import parse_id
from onewindow.payments import selectors, services
from onewindow.payments.models import PaymentOrder

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest

MAX_CALLBACK_BYTES = 16 * 1024


@csrf_exempt
@require_POST
@access(PUBLIC)
def notify(request: HttpRequest, gateway: str) -> HttpResponse:
    """Asynchronous notification from a gateway: answered at once (``success`` also for
    ignored duplicates); continuing the case is a worker's job after commit."""
    if len(request.body) > MAX_CALLBACK_BYTES:
        return HttpResponse("fail", status=413, content_type="text/plain")
    result = services.callback_handle(gateway=gateway[:32], params=request.POST.dict())
    if result.accepted:
        return HttpResponse("success", content_type="text/plain")
    return HttpResponse("fail", status=400, content_type="text/plain")


@access(RESIDENT)
def case_payments(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    case = case_for_user(user=request.user, number=number)
    if case is None:
        raise Http404
    error = ""
    if request.method == "POST":
        order = selectors.orders_of_case(case).filter(pk=_int(request.POST.get("order"))).first()
        try:
            if order is None:
                raise services.PaymentError("no such order")
            url = services.order_start_payment(
                user=request.user,
                order_id=order.pk,
                notify_url=request.build_absolute_uri(
                    reverse("payments:notify", kwargs={"gateway": order.gateway})
                ),
                return_url=request.build_absolute_uri(
                    reverse("payments:return", kwargs={"out_trade_no": order.out_trade_no})
                ),
            )
        except services.PaymentError:
            error = _("该订单已缴费或已关闭，无需再次支付。")
        else:
            return HttpResponseRedirect(url)
    orders = list(selectors.orders_of_case(case))
    return render(
        request,
        "payments/case_payments.html",
        {
            "case": case,
            "orders": orders,
            "due": [o for o in orders if o.status in services.OPEN],
            "error": error,
        },
        status=400 if error else 200,
    )


def _int(value: str | None) -> int:
    return parse_id(value) or 0


def _own_order(request: AuthenticatedHttpRequest, out_trade_no: str) -> PaymentOrder:
    order = selectors.order_for_user(user=request.user, out_trade_no=out_trade_no)
    if order is None:
        raise Http404
    return order


@access(RESIDENT)
def payment_return(request: AuthenticatedHttpRequest, out_trade_no: str) -> HttpResponse:
    """Where the gateway sends the user back. The query string is not trusted: the order's
    state comes only from verified notifications."""
    order = _own_order(request, out_trade_no)
    return render(request, "payments/return.html", {"order": order, "case": order.case})


@access(RESIDENT)
def receipt(request: AuthenticatedHttpRequest, out_trade_no: str) -> HttpResponse:
    order = _own_order(request, out_trade_no)
    if not hasattr(order, "receipt"):
        raise Http404
    return render(request, "payments/receipt.html", {"order": order, "receipt": order.receipt})
