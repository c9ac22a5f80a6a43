from __future__ import annotations

from typing import Any

from django import template

from onewindow.payments.models import PaymentOrder

register = template.Library()


@register.simple_tag
def payments_due(case: Any) -> list[PaymentOrder]:
    """The case's orders still to be paid (待缴费)."""
    if case is None or not getattr(case, "pk", None):
        return []
    return list(
        PaymentOrder.objects.filter(
            case_id=case.pk,
            status__in=[PaymentOrder.Status.CREATED, PaymentOrder.Status.PAYING],
        ).order_by("pk")
    )


@register.filter
def yuan(fen: Any) -> str:
    """1500 → ￥15.00; empty for no amount."""
    if fen in (None, ""):
        return "—"
    value = int(fen)
    sign = "-" if value < 0 else ""
    return f"{sign}￥{abs(value) // 100}.{abs(value) % 100:02d}"


ORDER_STATES = {
    **dict(PaymentOrder.Status.choices),
    "refunded": PaymentOrder.Status.REFUNDED.label,
    "paid": PaymentOrder.Status.PAID.label,
}


@register.filter
def order_state(value: Any) -> str:
    """A status as the reconciliation records it (ours or the gateway's), in words."""
    from django.utils.translation import gettext

    words = {"no_refund": gettext("无退款记录"), "": gettext("无此订单")}
    if value in words:
        return str(words[value])
    return str(ORDER_STATES.get(str(value), value))
