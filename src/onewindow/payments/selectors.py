"""Reads of the payments app: a case's orders, a resident's own order, and what the
reconciliation pages show (runs by day and gateway, differences with their orders)."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Q, QuerySet

from onewindow.payments.models import Mismatch, PaymentOrder, ReconciliationRun

if TYPE_CHECKING:
    from onewindow.cases.models import Case
    from onewindow.identity.models import User

SETTLED = (PaymentOrder.Status.PAID, PaymentOrder.Status.REFUNDED)


def orders_of_case(case: Case) -> QuerySet[PaymentOrder]:
    return PaymentOrder.objects.filter(case=case).select_related("receipt").order_by("pk")


def order_for_user(*, user: User, out_trade_no: str) -> PaymentOrder | None:
    from onewindow.cases.selectors import case_for_user

    order = (
        PaymentOrder.objects.select_related("case", "case__service_version__service")
        .filter(out_trade_no=out_trade_no)
        .first()
    )
    if order is None or case_for_user(user=user, number=order.case.number or "") is None:
        return None
    return order


# --- reconciliation ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReconciliationDay:
    day: datetime.date
    gateway: str
    latest: ReconciliationRun
    runs: int
    open: int
    resolved: int


def reconciliation_days(
    *, since: datetime.date, until: datetime.date, gateway: str = ""
) -> list[ReconciliationDay]:
    """One row per day and gateway that has runs: the latest run and the differences."""
    runs = ReconciliationRun.objects.filter(day__gte=since, day__lte=until)
    if gateway:
        runs = runs.filter(gateway=gateway)
    latest: dict[tuple[datetime.date, str], ReconciliationRun] = {}
    counts: dict[tuple[datetime.date, str], int] = {}
    for run in runs.order_by("-day", "gateway", "-started_at", "-pk"):
        key = (run.day, run.gateway)
        latest.setdefault(key, run)
        counts[key] = counts.get(key, 0) + 1
    tallies = {
        (row["day"], row["gateway"]): row
        for row in Mismatch.objects.filter(day__gte=since, day__lte=until)
        .values("day", "gateway")
        .annotate(
            open=Count("pk", filter=Q(status=Mismatch.Status.OPEN)),
            resolved=Count("pk", filter=Q(status=Mismatch.Status.RESOLVED)),
        )
    }
    return [
        ReconciliationDay(
            day=key[0],
            gateway=key[1],
            latest=run,
            runs=counts[key],
            open=int(tallies.get(key, {}).get("open", 0)),
            resolved=int(tallies.get(key, {}).get("resolved", 0)),
        )
        for key, run in latest.items()
    ]


def runs_of_day(*, day: datetime.date, gateway: str) -> list[ReconciliationRun]:
    return list(
        ReconciliationRun.objects.filter(day=day, gateway=gateway).select_related("started_by")
    )


@dataclass(frozen=True)
class MismatchRow:
    mismatch: Mismatch
    order: PaymentOrder | None


def mismatches_of_day(*, day: datetime.date, gateway: str) -> list[MismatchRow]:
    """The day's differences (open first), each with its local order when there is one."""
    rows = list(
        Mismatch.objects.filter(day=day, gateway=gateway)
        .select_related("resolved_by", "refund")
        .order_by("-status", "kind", "out_trade_no")
    )
    orders = {
        o.out_trade_no: o
        for o in PaymentOrder.objects.filter(
            gateway=gateway, out_trade_no__in=[m.out_trade_no for m in rows]
        ).select_related("case")
    }
    return [MismatchRow(m, orders.get(m.out_trade_no)) for m in rows]


def mismatch_get(*, pk: int) -> Mismatch | None:
    return (
        Mismatch.objects.select_related("resolved_by", "refund", "last_run").filter(pk=pk).first()
    )


def mismatch_order(mismatch: Mismatch) -> PaymentOrder | None:
    return (
        PaymentOrder.objects.select_related(
            "case__service_version__service", "case__applicant_person", "case__applicant_company"
        )
        .filter(out_trade_no=mismatch.out_trade_no, gateway=mismatch.gateway)
        .first()
    )


def captured_for_closed(mismatch: Mismatch, order: PaymentOrder) -> bool:
    """The gateway's statement shows a payment for an order closed here (paid after it timed
    out, or paid twice): the resident's money is with the gateway and must go back."""
    return (
        mismatch.kind == Mismatch.Kind.STATUS
        and order.status == PaymentOrder.Status.CLOSED
        and mismatch.detail.get("there_status") == "paid"
        and int(mismatch.detail.get("there_fen") or 0) > 0
    )


def paid_there_open_here(mismatch: Mismatch, order: PaymentOrder | None) -> bool:
    """The gateway's statement shows the full amount paid for an order still waiting for its
    payment here: the notification was lost or refused, the payment can be applied (补单)."""
    return (
        order is not None
        and mismatch.status == Mismatch.Status.OPEN
        and mismatch.kind == Mismatch.Kind.STATUS
        and order.status in (PaymentOrder.Status.CREATED, PaymentOrder.Status.PAYING)
        and mismatch.detail.get("there_status") == "paid"
        and int(mismatch.detail.get("there_fen") or 0) == order.amount_fen
    )


def refund_suggestion(mismatch: Mismatch, order: PaymentOrder | None) -> int:
    """How much a refund would return (fen), or 0 when a refund is not the fix: only for an
    open amount or status difference of an order that is paid here and not fully refunded,
    or for money the gateway took for an order closed here. An overcharge suggests the
    difference, money taken for a closed order what the gateway took and we have not
    returned, anything else what is left of the order."""
    if order is None or mismatch.status != Mismatch.Status.OPEN:
        return 0
    if captured_for_closed(mismatch, order):
        return max(refundable_fen(mismatch, order), 0)
    if (
        mismatch.kind not in (Mismatch.Kind.AMOUNT, Mismatch.Kind.STATUS)
        or order.status not in SETTLED
    ):
        return 0
    left = refundable_fen(mismatch, order)
    there = int(mismatch.detail.get("there_fen") or 0)
    if mismatch.kind == Mismatch.Kind.AMOUNT and there > order.amount_fen:
        return min(there - order.amount_fen, left)
    return max(left, 0)


def refundable_fen(mismatch: Mismatch, order: PaymentOrder) -> int:
    """The most a refund may still return: what the gateway took for an order closed here,
    else the order's amount, less what was already refunded."""
    if captured_for_closed(mismatch, order):
        return int(mismatch.detail.get("there_fen") or 0) - order.refunded_fen
    return order.amount_fen - order.refunded_fen


def gateways_for_reconciliation(extra: Iterable[str] = ()) -> list[str]:
    """Gateways worth offering on the page: the configured one and any that has orders."""
    from onewindow.payments.conf import gateway as get_gateway

    names = set(PaymentOrder.objects.values_list("gateway", flat=True).distinct()) | set(extra)
    with contextlib.suppress(LookupError, ValueError, ImproperlyConfigured):
        names.add(get_gateway().name)
    return sorted(n for n in names if n)


# --- the citizen page ------------------------------------------------------------------------

DUE = (PaymentOrder.Status.CREATED, PaymentOrder.Status.PAYING)
OPEN_CASE_STATUSES = ("submitted", "consent", "in_progress", "supplement")  # as Case.is_open


@dataclass(frozen=True)
class PaymentDue:
    """A fee the resident (or a company they act for) still has to pay."""

    out_trade_no: str
    subject: str
    amount_fen: int
    amount_yuan: str  # "15.00"
    status: str
    status_label: str
    case_number: str
    service_name: str
    created_at: datetime.datetime
    url: str  # the case's payment page (去缴费)


def payments_due_for(
    *, user: User | None = None, company_id: int | None = None, limit: int = 5
) -> tuple[list[PaymentDue], int]:
    """Unpaid fee orders (待缴费, 支付中) of the resident's own open cases (``user``) or of a
    company's (``company_id``), oldest first, and how many there are: paid, closed and
    refunded orders are not due. Two queries at most."""
    from django.urls import reverse

    orders = PaymentOrder.objects.filter(status__in=DUE, case__status__in=OPEN_CASE_STATUSES)
    if company_id is not None:
        orders = orders.filter(case__applicant_company_id=company_id)
    else:
        assert user is not None
        orders = orders.filter(case__created_by_id=user.pk, case__applicant_company__isnull=True)
    rows = list(
        orders.select_related("case__service_version__service").order_by("created_at", "pk")[:limit]
    )
    total = len(rows) if len(rows) < limit else orders.count()
    return [
        PaymentDue(
            out_trade_no=row.out_trade_no,
            subject=row.subject,
            amount_fen=row.amount_fen,
            amount_yuan=row.amount_yuan,
            status=row.status,
            status_label=str(row.get_status_display()),
            case_number=row.case.number or "",
            service_name=row.case.service_version.service.display_name,
            created_at=row.created_at,
            url=reverse("payments:case", kwargs={"number": row.case.number}),
        )
        for row in rows
    ], total
