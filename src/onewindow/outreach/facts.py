"""Person facts for push rules: typed, built from other apps' front doors, and only those a
rule reads (a rule about ID cards never asks the household register).

Sources: the identity record (age, district, the ID card's last valid day), the household
registration resource through the exchange (children and their birth dates), the licences a
resident holds, their bookings for tomorrow, and the bills app's bills and contribution
records (its selectors)."""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from onewindow.bills.selectors import BillSummary, bills_due_between, contribution_gaps
from onewindow.core.regions import region_name
from onewindow.identity.selectors import PersonRow

log = logging.getLogger(__name__)

HOUSEHOLD_RESOURCE = "gz-gaj.household-registration"
HOUSEHOLD_CHILDREN = "children"  # the only field a push rule asks of the register
PUSH_PURPOSE = "主动推送：为居民提示可办事项"
SCHOOL_AGE = 6


def district_name(code: str) -> str:
    return region_name(code)


def full_years(born: datetime.date, on: datetime.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def enrolment_cutoff(today: datetime.date) -> datetime.date:
    """31 August of the school year being enrolled: this year's until August, then next."""
    year = today.year if today.month <= 8 else today.year + 1
    return datetime.date(year, 8, 31)


# --- bills (the bills app's selectors) ------------------------------------------------------


def bill_facts(bill: BillSummary, today: datetime.date) -> dict[str, Any]:
    """A bill's facts for the bill rules, with how its subscription wants to be told (the
    days before the due date, whether when overdue); ``bill_days_left`` is None for a bill
    with no due date."""
    due = bill.due_on
    return {
        "bill_kind": bill.kind_label,
        "bill_provider": bill.provider_name,
        "bill_account_tail": bill.account_tail,
        "bill_amount": f"{bill.amount:.2f}",
        "bill_due_date": due.isoformat() if due else None,
        "bill_period": bill.period,
        "bill_days_left": (due - today).days if due else None,
        "bill_remind_days_before": bill.remind_days_before,
        "bill_remind_overdue": bill.remind_overdue,
        "bill_link": bill.url,
        "event_object": bill_object(bill),
    }


def bill_object(bill: BillSummary) -> str:
    return f"bill:{bill.bill_id}"


def bill_channels(bill: BillSummary) -> tuple[str, ...]:
    """Where the subscription asks to be told of its bills: the in-app message (every push
    has one) and the channels the resident chose when binding the account."""
    return ("inapp", *(c for c in bill.channels if c != "inapp"))


def bills_due(start: datetime.date, end: datetime.date) -> Iterator[BillSummary]:
    """The unpaid bills of active bindings due from ``start`` to ``end``."""
    for _person_id, _user_id, bill in bills_due_between(start=start, end=end, unpaid_only=True):
        yield bill


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
        gaps = contribution_gaps(person_id=self.row.pk, kind="social_insurance")
        return {
            "contribution_gap_months": len(gaps),
            "contribution_gap_since": gaps[0].period if gaps else None,
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


# The fields of a person's row each group of facts reads (the others look the person up by
# the row's key); a push always needs the account and the district.
_GROUP_FIELDS: dict[Callable[[PersonFacts], dict[str, Any]], frozenset[str]] = {
    PersonFacts.basic: frozenset({"name", "birth_date", "region_code"}),
    PersonFacts.id_card: frozenset({"id_card_valid_until"}),
}
ALWAYS_READ = frozenset({"user_id", "region_code"})


def row_fields(names: Iterable[str]) -> frozenset[str]:
    """The fields of a person's row the facts ``names`` are computed from."""
    fields = set(ALWAYS_READ)
    for name in names:
        loader = LOADERS.get(name)
        if loader is not None:
            fields |= _GROUP_FIELDS.get(loader, frozenset())
    return frozenset(fields)


# --- the sources behind them -----------------------------------------------------------------


@dataclass(frozen=True)
class Child:
    name: str
    birth_date: datetime.date | None


def household_children(row: PersonRow) -> list[Child]:
    """The children registered in the person's household: the ``children`` field (only it)
    of the household registration resource through the exchange (the platform's own grant;
    every call is in the call log).
    A register that lists no children (or does not answer) gives none."""
    from onewindow.audit.services import Actor
    from onewindow.exchange.services import exchange_query, platform_grant_ensure
    from onewindow.identity.selectors import person_get

    person = person_get(pk=row.pk)
    if person is None:
        return []
    try:
        with transaction.atomic():
            consumer = platform_grant_ensure(
                actor=Actor.system("outreach"), resource_code=HOUSEHOLD_RESOURCE
            )
            result = exchange_query(
                consumer=consumer,
                resource_code=HOUSEHOLD_RESOURCE,
                person=person,
                fields=[HOUSEHOLD_CHILDREN],
                purpose=PUSH_PURPOSE,
                request_id=f"push-{uuid.uuid4().hex[:16]}",
            )
    except Exception:  # the register is down: no facts today, the sweep runs again tomorrow
        log.exception("outreach: household register unavailable for person %s", row.pk)
        return []
    if not result.ok or not result.found:
        return []
    children: list[Child] = []
    for item in result.data.get(HOUSEHOLD_CHILDREN) or []:
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
