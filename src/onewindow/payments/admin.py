"""Admin: orders, callbacks, refunds, receipts, reconciliation runs and differences are read-only;
an operator refunds a paid order with the audited action (through the gateway, idempotent)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.admin_audit import ReadOnlyModelAdmin
from onewindow.audit.services import Actor
from onewindow.payments.models import (
    Mismatch,
    PaymentEvent,
    PaymentOrder,
    Receipt,
    ReconciliationRun,
    Refund,
)
from onewindow.payments.services import PaymentError, refund_create


@admin.action(description=gettext_lazy("全额退款（经支付平台）"))
def refund_in_full(modeladmin: Any, request: HttpRequest, queryset: QuerySet[PaymentOrder]) -> None:
    if not request.user.has_perm("identity.operate_platform"):
        modeladmin.message_user(request, _("只有平台运营人员可以退款。"), messages.ERROR)
        return
    for order in queryset:
        try:
            refund = refund_create(
                actor=Actor.from_request(request),
                order_id=order.pk,
                amount_fen=order.amount_fen - order.refunded_fen,
                reason=_("运营人员退款"),
                request_no="full",
            )
        except PaymentError:
            modeladmin.message_user(
                request, _("%(no)s 不能退款。") % {"no": order.out_trade_no}, messages.ERROR
            )
            continue
        modeladmin.message_user(
            request, f"{order.out_trade_no}: {refund.get_status_display()}", messages.INFO
        )


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnlyModelAdmin):
    list_display = ("out_trade_no", "subject", "amount_fen", "status", "gateway", "paid_at")
    list_filter = ("status", "gateway")
    search_fields = ("out_trade_no", "gateway_trade_no")
    actions = [refund_in_full]


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyModelAdmin):
    list_display = ("created_at", "gateway", "kind", "outcome", "reason", "order")
    list_filter = ("outcome", "kind", "gateway")


@admin.register(Refund)
class RefundAdmin(ReadOnlyModelAdmin):
    list_display = ("out_request_no", "amount_fen", "status", "created_at")


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyModelAdmin):
    list_display = ("number", "order", "amount_fen", "issued_at")


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyModelAdmin):
    list_display = ("day", "gateway", "status", "started_at", "mismatches", "cleared", "error")
    list_filter = ("status", "gateway")


@admin.register(Mismatch)
class MismatchAdmin(ReadOnlyModelAdmin):
    """Read-only: differences are resolved on /payments/reconciliation/ (audited)."""

    list_display = ("day", "gateway", "kind", "out_trade_no", "status", "resolution", "detail")
    list_filter = ("status", "kind", "day")
