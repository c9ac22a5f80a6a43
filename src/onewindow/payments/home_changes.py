"""Which residents' pages a fee order's change alters (``onewindow.core.home``): those its
case shows on. Watched from ``PaymentsConfig.ready()``; the services that change orders
without ``save()`` call :func:`order_home_changed` themselves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from onewindow.core.home import HomeAudience, home_watch


def _case_ids(order_ids: Iterable[int]) -> list[int]:
    from onewindow.payments.models import PaymentOrder

    return list(
        PaymentOrder.objects.filter(pk__in=list(order_ids)).values_list("case_id", flat=True)
    )


def order_home_changed(*, order_ids: Iterable[int]) -> None:
    from onewindow.cases.selectors import case_home_changed

    case_home_changed(case_ids=_case_ids(order_ids))


def _order(order: Any) -> HomeAudience:
    from onewindow.cases.selectors import case_home_audience

    return case_home_audience(case_ids=[order.case_id])


def watch() -> None:
    home_watch("payments.PaymentOrder", _order)
