"""Reads of the bills app, for its own pages and for the citizen page and push rules."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from onewindow.bills.conf import provider_name, providers
from onewindow.bills.models import (
    Bill,
    Contribution,
    Kind,
    ProviderSyncState,
    Subscription,
)

if TYPE_CHECKING:
    from onewindow.identity.models import User


@dataclass(frozen=True)
class BillSummary:
    bill_id: int
    subscription_id: int
    person_id: int
    user_id: int
    kind: str
    kind_label: str
    provider_code: str
    provider_name: str
    account_tail: str
    period: str
    amount: Decimal
    due_on: datetime.date | None
    paid: bool
    url: str
    channels: tuple[str, ...]
    remind_days_before: int
    remind_overdue: bool


@dataclass(frozen=True)
class BillItem:
    kind: str
    kind_label: str
    provider_name: str
    period: str
    amount: Decimal
    due_on: datetime.date | None
    paid: bool
    overdue: bool
    url: str


@dataclass(frozen=True)
class ProviderOutage:
    provider_name: str
    kind_label: str
    last_updated_at: datetime.datetime | None


@dataclass(frozen=True)
class BillSection:
    items: list[BillItem]
    updated_at: datetime.datetime | None
    unavailable: list[ProviderOutage]


@dataclass(frozen=True)
class ContributionGap:
    kind: str
    kind_label: str
    provider_name: str
    period: str  # YYYY-MM
    month: datetime.date  # its first day


def kind_label(kind: str) -> str:
    return str(Kind(kind).label) if kind in Kind.values else kind


def bill_url(bill: Bill) -> str:
    return reverse(
        "bills:bill", kwargs={"subscription_id": bill.subscription_id, "bill_id": bill.pk}
    )


def bill_summary(bill: Bill) -> BillSummary:
    sub = bill.subscription
    return BillSummary(
        bill_id=bill.pk,
        subscription_id=sub.pk,
        person_id=sub.person_id,
        user_id=sub.user_id,
        kind=sub.kind,
        kind_label=kind_label(sub.kind),
        provider_code=sub.provider_code,
        provider_name=provider_name(sub.provider_code),
        account_tail=sub.account_tail,
        period=bill.period,
        amount=bill.amount,
        due_on=bill.due_on,
        paid=bill.paid,
        url=bill_url(bill),
        channels=tuple(sub.channels or ()),
        remind_days_before=sub.remind_days_before,
        remind_overdue=sub.remind_overdue,
    )


def subscriptions_for_user(*, user: User) -> QuerySet[Subscription]:
    return Subscription.objects.filter(user_id=user.pk, unbound_at__isnull=True)


def subscription_for_user(*, user: User, subscription_id: int) -> Subscription | None:
    return subscriptions_for_user(user=user).filter(pk=subscription_id).first()


def bills_of(*, subscription: Subscription) -> QuerySet[Bill]:
    return subscription.bills.order_by("-period", "-pk")


def contributions_of(*, subscription: Subscription) -> QuerySet[Contribution]:
    return subscription.contributions.order_by("-period")


def _states(codes: set[str]) -> dict[str, ProviderSyncState]:
    return {s.provider_code: s for s in ProviderSyncState.objects.filter(provider_code__in=codes)}


def provider_down(state: ProviderSyncState | None) -> bool:
    return state is not None and (
        state.circuit != ProviderSyncState.Circuit.CLOSED or state.consecutive_failures > 0
    )


def outages_for(subs: list[Subscription]) -> dict[int, bool]:
    """For each subscription: whether its data cannot be fetched now (its provider is failing
    or its own last sync failed)."""
    states = _states({s.provider_code for s in subs})
    return {s.pk: s.last_sync_failed or provider_down(states.get(s.provider_code)) for s in subs}


def bill_home_section(*, user: User, limit: int = 5) -> BillSection:
    """The citizen page's 我的账单: unpaid bills by due date, then each account's latest
    paid bill; when the data was last updated; the providers that cannot be reached now."""
    subs = list(subscriptions_for_user(user=user))
    if not subs:
        return BillSection(items=[], updated_at=None, unavailable=[])
    by_id = {s.pk: s for s in subs}
    today = timezone.localdate()
    unpaid = list(
        Bill.objects.filter(subscription_id__in=by_id, paid=False).order_by(
            "due_on", "-period", "pk"
        )[:limit]
    )
    bills = list(unpaid)
    if len(bills) < limit:
        latest_paid = Bill.objects.filter(subscription_id__in=by_id, paid=True).order_by(
            "subscription_id", "-period"
        )
        seen: set[int] = set()
        for bill in latest_paid.iterator(chunk_size=200):
            if bill.subscription_id in seen:
                continue
            seen.add(bill.subscription_id)
            bills.append(bill)
            if len(bills) >= limit or len(seen) == len(by_id):
                break
    items = []
    for bill in bills[:limit]:
        sub = by_id[bill.subscription_id]
        bill.subscription = sub
        items.append(
            BillItem(
                kind=sub.kind,
                kind_label=kind_label(sub.kind),
                provider_name=provider_name(sub.provider_code),
                period=bill.period,
                amount=bill.amount,
                due_on=bill.due_on,
                paid=bill.paid,
                overdue=not bill.paid and bill.due_on is not None and bill.due_on < today,
                url=bill_url(bill),
            )
        )
    down = outages_for(subs)
    unavailable: dict[str, ProviderOutage] = {}
    healthy_times = []
    for sub in subs:
        if down[sub.pk]:
            known = unavailable.get(sub.provider_code)
            last = sub.last_synced_at
            if known and known.last_updated_at and (last is None or known.last_updated_at > last):
                last = known.last_updated_at
            unavailable[sub.provider_code] = ProviderOutage(
                provider_name=provider_name(sub.provider_code),
                kind_label=kind_label(sub.kind),
                last_updated_at=last,
            )
        elif sub.last_synced_at is not None:
            healthy_times.append(sub.last_synced_at)
    return BillSection(
        items=items,
        updated_at=min(healthy_times) if healthy_times else None,
        unavailable=list(unavailable.values()),
    )


def bills_due_between(
    *, start: datetime.date, end: datetime.date, unpaid_only: bool = True, batch_size: int = 500
) -> Iterator[tuple[int, int, BillSummary]]:
    """(person_id, user_id, bill) for every bill of an active binding due from ``start`` to
    ``end`` (both included), in batches by primary key: memory stays flat however many."""
    query = Bill.objects.filter(
        due_on__gte=start, due_on__lte=end, subscription__unbound_at__isnull=True
    ).select_related("subscription")
    if unpaid_only:
        query = query.filter(paid=False)
    last = 0
    while True:
        batch = list(query.filter(pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            return
        for bill in batch:
            summary = bill_summary(bill)
            yield summary.person_id, summary.user_id, summary
        last = batch[-1].pk


def _months(first: datetime.date, last: datetime.date) -> Iterator[datetime.date]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield datetime.date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _month(period: str) -> datetime.date:
    return datetime.date(int(period[:4]), int(period[5:7]), 1)


def contribution_gaps(*, person_id: int, kind: str = "social_insurance") -> list[ContributionGap]:
    """Months missing in the person's contribution record (社会保险 by default; also
    ``housing_fund``): between the first and the last month the record knows, each month with
    no contribution or one not paid. Oldest first."""
    gaps: list[ContributionGap] = []
    subs = Subscription.objects.filter(person_id=person_id, kind=kind, unbound_at__isnull=True)
    for sub in subs:
        rows: dict[str, bool] = dict(sub.contributions.values_list("period", "paid"))
        if not rows:
            continue
        for month in _months(_month(min(rows)), _month(max(rows))):
            period = f"{month.year}-{month.month:02d}"
            if not rows.get(period, False):
                gaps.append(
                    ContributionGap(
                        kind=kind,
                        kind_label=kind_label(kind),
                        provider_name=provider_name(sub.provider_code),
                        period=period,
                        month=month,
                    )
                )
    return sorted(gaps, key=lambda g: g.month)


def subscription_preferences(*, person_id: int) -> list[dict[str, Any]]:
    """How each of the person's active bindings wants to be told: kind, channels, days before
    the due date, whether to be told when overdue."""
    return [
        {
            "subscription_id": s.pk,
            "kind": s.kind,
            "provider_code": s.provider_code,
            "channels": list(s.channels or ()),
            "remind_days_before": s.remind_days_before,
            "remind_overdue": s.remind_overdue,
        }
        for s in Subscription.objects.filter(person_id=person_id, unbound_at__isnull=True)
    ]


def provider_choices(*, kind: str | None = None) -> list[tuple[str, str]]:
    return [
        (code, f"{info.name}（{kind_label(info.kind)}）")
        for code, info in providers().items()
        if kind is None or info.kind == kind
    ]


def provider_states() -> QuerySet[ProviderSyncState]:
    return ProviderSyncState.objects.order_by("provider_code")


def since(value: datetime.datetime | None) -> int | None:
    """Whole minutes since ``value`` (for "x 分钟前更新")."""
    if value is None:
        return None
    return max(0, int((timezone.now() - value).total_seconds() // 60))


__all__ = [
    "BillItem",
    "BillSection",
    "BillSummary",
    "ContributionGap",
    "ProviderOutage",
    "bill_home_section",
    "bills_due_between",
    "contribution_gaps",
]
