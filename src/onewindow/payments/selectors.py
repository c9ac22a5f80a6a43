from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from onewindow.cases.models import Case
from onewindow.payments.models import PaymentOrder


def orders_of_case(case: Case) -> QuerySet[PaymentOrder]:
    return PaymentOrder.objects.filter(case=case).select_related("receipt").order_by("pk")


def order_for_user(*, user: Any, out_trade_no: str) -> PaymentOrder | None:
    from onewindow.cases.selectors import case_for_user

    order = (
        PaymentOrder.objects.select_related("case", "case__service_version__service")
        .filter(out_trade_no=out_trade_no)
        .first()
    )
    if order is None or case_for_user(user=user, number=order.case.number or "") is None:
        return None
    return order
