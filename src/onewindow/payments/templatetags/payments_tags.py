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
