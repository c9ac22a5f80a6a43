"""Person facts for push rules: typed, built from other apps' front doors, and only those a
rule reads (a rule about ID cards never asks the household register).

Sources: the identity record (age, district, the ID card's last valid day), the household
registration resource through the exchange (children and their birth dates), the licences a
resident holds, their bookings for tomorrow, and the bills app's contribution records (read
lazily: with no bills app, no facts)."""

from __future__ import annotations

import datetime
import importlib
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from onewindow.identity.selectors import PersonRow

log = logging.getLogger(__name__)

# GB/T 2260: the districts of Guangzhou.
DISTRICTS = {
    "440103": "荔湾区",
    "440104": "越秀区",
    "440105": "海珠区",
    "440106": "天河区",
    "440111": "白云区",
    "440112": "黄埔区",
    "440113": "番禺区",
    "440114": "花都区",
    "440115": "南沙区",
    "440117": "从化区",
    "440118": "增城区",
}
HOUSEHOLD_RESOURCE = "gz-gaj.household-registration"
PUSH_PURPOSE = "主动推送：为居民提示可办事项"
SCHOOL_AGE = 6


def district_name(code: str) -> str:
    return DISTRICTS.get(code, code)


def full_years(born: datetime.date, on: datetime.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def enrolment_cutoff(today: datetime.date) -> datetime.date:
    """31 August of the school year being enrolled: this year's until August, then next."""
    year = today.year if today.month <= 8 else today.year + 1
    return datetime.date(year, 8, 31)


# --- bills (the bills app, read lazily) -------------------------------------------------------


@dataclass(frozen=True)
class DueBill:
    person_id: int
    user_id: int | None
    bill_id: str
    kind: str  # 水费, 电费 …
    amount: str  # "128.50"
    due_date: datetime.date
    period: str  # "2026-11"


@dataclass(frozen=True)
class ContributionGap:
    months: int
    since: datetime.date | None


class BillSource(Protocol):
    def due_between(
        self, *, start: datetime.date, end: datetime.date, unpaid_only: bool = True
    ) -> Iterable[DueBill]: ...

    def contribution_gap(self, *, person_id: int) -> ContributionGap | None: ...


def _get(item: Any, *names: str, default: Any = "") -> Any:
    for name in names:
        if isinstance(item, dict) and name in item:
            return item[name]
        if hasattr(item, name):
            return getattr(item, name)
    return default


class BillsAppSource:
    """The bills app's selectors, found when called: without them (an older build), no facts."""

    def due_between(
        self, *, start: datetime.date, end: datetime.date, unpaid_only: bool = True
    ) -> Iterator[DueBill]:
        selector = _bills_selector("bills_due_between")
        if selector is None:
            return
        for person_id, user_id, bill in selector(start=start, end=end, unpaid_only=unpaid_only):
            due = _get(bill, "due_date", "due_on", default=None)
            if isinstance(due, str):
                due = datetime.date.fromisoformat(due[:10])
            if not isinstance(due, datetime.date):
                continue
            yield DueBill(
                person_id=int(person_id),
                user_id=int(user_id) if user_id else None,
                bill_id=str(_get(bill, "id", "bill_id", "pk")),
                kind=str(_get(bill, "kind_label", "kind_name", "kind")),
                amount=str(_get(bill, "amount", "amount_yuan")),
                due_date=due,
                period=str(_get(bill, "period", "period_label")),
            )

    def contribution_gap(self, *, person_id: int) -> ContributionGap | None:
        selector = _bills_selector("contribution_gaps")
        if selector is None:
            return None
        gaps = list(selector(person_id=person_id) or [])
        if not gaps:
            return None
        months = sum(int(_get(g, "months", default=1) or 1) for g in gaps)
        starts = [_get(g, "since", "start", "period_start", default=None) for g in gaps]
        dates = [d for d in starts if isinstance(d, datetime.date)]
        return ContributionGap(months=months, since=min(dates) if dates else None)


def bill_facts(payload: Mapping[str, Any]) -> tuple[int, dict[str, Any]] | None:
    """(person id, the bill's facts) from a ``bill_arrived`` signal's keywords (``person_id``
    and ``bill``, or a bill carrying its ``person_id``); None when it names no person or
    no due date."""
    bill = payload.get("bill")
    person_id = payload.get("person_id") or _get(bill, "person_id", default=None)
    due = _get(bill, "due_date", "due_on", default=None)
    if isinstance(due, str):
        due = datetime.date.fromisoformat(due[:10])
    if not person_id or not isinstance(due, datetime.date):
        return None
    bill_id = str(_get(bill, "id", "bill_id", "pk"))
    return int(person_id), {
        "bill_kind": str(_get(bill, "kind_label", "kind_name", "kind")),
        "bill_amount": str(_get(bill, "amount", "amount_yuan")),
        "bill_due_date": due.isoformat(),
        "bill_period": str(_get(bill, "period", "period_label")),
        "bill_days_left": (due - timezone.localdate()).days,
        "event_object": f"bill:{bill_id}",
    }


def _bills_selector(name: str) -> Callable[..., Any] | None:
    try:
        bills_selectors = importlib.import_module("onewindow.bills.selectors")
    except ImportError:
        return None
    found = getattr(bills_selectors, name, None)
    return found if callable(found) else None


_bill_source: BillSource = BillsAppSource()


def bill_source() -> BillSource:
    return _bill_source


def bill_source_set(source: BillSource | None) -> None:
    """Use another source of bills (a fake in tests); None goes back to the bills app."""
    global _bill_source
    _bill_source = source if source is not None else BillsAppSource()


# --- the facts -------------------------------------------------------------------------------


class PersonFacts:
    """The facts of one person, each computed the first time a rule reads it."""

    def __init__(self, row: PersonRow, *, today: datetime.date | None = None) -> None:
        self.row = row
        self.today = today or timezone.localdate()
        self._values: dict[str, Any] = {}

    def values(self, names: Iterable[str]) -> dict[str, Any]:
        for name in names:
            if name not in self._values:
                loader = LOADERS.get(name)
                if loader is None:
                    continue
                self._values.update(loader(self))
        return {name: self._values.get(name) for name in names}

    # each loader fills a group of facts
    def basic(self) -> dict[str, Any]:
        row = self.row
        return {
            "today": self.today.isoformat(),
            "name": row.name,
            "age": full_years(row.birth_date, self.today) if row.birth_date else None,
            "district": row.region_code,
            "district_name": district_name(row.region_code),
        }

    def id_card(self) -> dict[str, Any]:
        until = self.row.id_card_valid_until
        return {
            "id_card_expiry": until.isoformat() if until else None,
            "id_card_days_left": (until - self.today).days if until else None,
        }

    def children(self) -> dict[str, Any]:
        cutoff = enrolment_cutoff(self.today)
        entering = [
            child
            for child in household_children(self.row)
            if child.birth_date is not None and full_years(child.birth_date, cutoff) == SCHOOL_AGE
        ]
        return {
            "children_entering_school": len(entering),
            "child_name": entering[0].name if entering else None,
            "school_year": f"{cutoff.year}",
        }

    def licences(self) -> dict[str, Any]:
        soonest = licence_expiring_soonest(self.row, self.today)
        if soonest is None:
            return dict.fromkeys(
                (
                    "licence_expiring_number",
                    "licence_expiring_name",
                    "licence_expiring_date",
                    "licence_days_left",
                )
            )
        number, name, until = soonest
        return {
            "licence_expiring_number": number,
            "licence_expiring_name": name,
            "licence_expiring_date": until.isoformat(),
            "licence_days_left": (until - self.today).days,
        }

    def appointments(self) -> dict[str, Any]:
        found = appointment_on(self.row, self.today + datetime.timedelta(days=1))
        return {
            "appointment_tomorrow": found is not None,
            "appointment_time": found[0] if found else None,
            "appointment_place": found[1] if found else None,
        }

    def contributions(self) -> dict[str, Any]:
        gap = bill_source().contribution_gap(person_id=self.row.pk)
        return {
            "contribution_gap_months": gap.months if gap else 0,
            "contribution_gap_since": gap.since.isoformat() if gap and gap.since else None,
        }


def _group(method: Callable[[PersonFacts], dict[str, Any]], *names: str) -> dict[str, Any]:
    return dict.fromkeys(names, method)


LOADERS: dict[str, Callable[[PersonFacts], dict[str, Any]]] = {
    **_group(PersonFacts.basic, "today", "name", "age", "district", "district_name"),
    **_group(PersonFacts.id_card, "id_card_expiry", "id_card_days_left"),
    **_group(PersonFacts.children, "children_entering_school", "child_name", "school_year"),
    **_group(
        PersonFacts.licences,
        "licence_expiring_number",
        "licence_expiring_name",
        "licence_expiring_date",
        "licence_days_left",
    ),
    **_group(
        PersonFacts.appointments, "appointment_tomorrow", "appointment_time", "appointment_place"
    ),
    **_group(PersonFacts.contributions, "contribution_gap_months", "contribution_gap_since"),
}


# --- the sources behind them -----------------------------------------------------------------


@dataclass(frozen=True)
class Child:
    name: str
    birth_date: datetime.date | None


def household_children(row: PersonRow) -> list[Child]:
    """The children registered in the person's household, from the household registration
    resource through the exchange (the platform's own grant; every call is in the call log).
    A register that lists no children (or does not answer) gives none."""
    from onewindow.audit.services import Actor
    from onewindow.exchange.services import exchange_query, platform_consumer_ensure
    from onewindow.identity.selectors import person_get

    person = person_get(pk=row.pk)
    if person is None:
        return []
    try:
        with transaction.atomic():
            consumer = platform_consumer_ensure(actor=Actor.system("outreach"))
            result = exchange_query(
                consumer=consumer,
                resource_code=HOUSEHOLD_RESOURCE,
                person=person,
                purpose=PUSH_PURPOSE,
                request_id=f"push-{uuid.uuid4().hex[:16]}",
            )
    except Exception:  # the register is down: no facts today, the sweep runs again tomorrow
        log.exception("outreach: household register unavailable for person %s", row.pk)
        return []
    if not result.ok or not result.found:
        return []
    children: list[Child] = []
    for item in result.data.get("children") or []:
        if not isinstance(item, dict):
            continue
        born = item.get("birth_date")
        try:
            birth = datetime.date.fromisoformat(str(born)[:10]) if born else None
        except ValueError:
            birth = None
        children.append(Child(name=str(item.get("name") or ""), birth_date=birth))
    return children


def _user(row: PersonRow) -> Any:
    from onewindow.identity.selectors import person_get

    person = person_get(pk=row.pk)
    return person.user if person is not None and person.user_id else None


def licence_expiring_soonest(
    row: PersonRow, today: datetime.date
) -> tuple[str, str, datetime.date] | None:
    """(number, type name, last valid day) of the valid licence the person holds that runs
    out first, from today on."""
    from onewindow.licences.selectors import licences_for_user

    user = _user(row)
    if user is None:
        return None
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    licence = (
        licences_for_user(user=user)
        .filter(status="valid", valid_until__gte=start, holder_person_id=row.pk)
        .order_by("valid_until")
        .first()
    )
    if licence is None or licence.valid_until is None:
        return None
    until = timezone.localtime(licence.valid_until).date()
    return licence.number, licence.licence_type.name_zh, until


def appointment_on(row: PersonRow, day: datetime.date) -> tuple[str, str] | None:
    """(time, place) of the person's booking on ``day`` for a case in progress, if any."""
    from onewindow.appointments.selectors import booking_for_case
    from onewindow.cases.selectors import cases_for_user

    user = _user(row)
    if user is None:
        return None
    open_cases = cases_for_user(user=user, include_drafts=False).exclude(
        status__in=["approved", "rejected", "withdrawn"]
    )
    for case in open_cases[:20]:
        booking = booking_for_case(case)
        if booking is None or booking.status != "booked":
            continue
        local = timezone.localtime(booking.slot.starts_at)
        if local.date() == day:
            return f"{local:%m月%d日 %H:%M}", booking.slot.resource.name
    return None
