"""Reads: which resource a service books, the open slots per day, a case's booking. What a
booking's case is (number, service, the persons it names) the cases app tells
(:mod:`onewindow.appointments.case_facts`)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.appointments.case_facts import BookingCase, NamedPerson, booking_case, booking_cases
from onewindow.appointments.models import AppointmentResource, Booking, Slot
from onewindow.core.errors import FieldError
from onewindow.identity.selectors import department_ids_below, staff_role_department_ids

if TYPE_CHECKING:
    from onewindow.identity.models import User

APPOINTMENT_FIELD = "appointment"


def appointment_resource_codes(definition: Mapping[str, Any] | None) -> list[str]:
    """The offices a service's appointment may be booked at (``appointment.resource``: one
    code, or a list the applicant chooses from — the registries of a marriage); empty for
    ``appointment: false``."""
    spec = (definition or {}).get("appointment")
    found = spec.get("resource") if isinstance(spec, dict) else None
    if isinstance(found, list):
        return [str(code) for code in found if code]
    return [str(found)] if found else []


def appointment_resource_code(definition: Mapping[str, Any] | None) -> str | None:
    """The first office of a service's appointment, or None (``appointment: false``)."""
    codes = appointment_resource_codes(definition)
    return codes[0] if codes else None


def resources_for_definition(definition: Mapping[str, Any] | None) -> list[AppointmentResource]:
    """The active offices of the service's appointment, in the package's order."""
    codes = appointment_resource_codes(definition)
    found = {r.code: r for r in AppointmentResource.objects.filter(code__in=codes, is_active=True)}
    return [found[code] for code in codes if code in found]


def attend_codes(definition: Mapping[str, Any] | None) -> list[str]:
    """Who must come to the counter (``appointment.attend``): ``applicant`` and party codes
    (a marriage: both parties); the applicant alone by default."""
    spec = (definition or {}).get("appointment")
    codes = spec.get("attend") if isinstance(spec, dict) else None
    if isinstance(codes, list) and codes:
        return [str(code) for code in codes]
    return ["applicant"]


def in_person_tasks(definition: Mapping[str, Any] | None) -> set[str]:
    """The process's user tasks done with the persons present (``appointment.in_person``,
    e.g. the registrar's 当场审查): they open only once every person expected is checked in
    at the counter, on the booked day."""
    spec = (definition or {}).get("appointment")
    tasks = spec.get("in_person") if isinstance(spec, dict) else None
    return {str(t) for t in tasks} if isinstance(tasks, list) else set()


def resource_for_definition(
    definition: Mapping[str, Any] | None, *, code: str | None = None
) -> AppointmentResource | None:
    """The office ``code`` if the service books there, else its first active office."""
    offices = resources_for_definition(definition)
    chosen = next((r for r in offices if r.code == code), None) if code else None
    return chosen or (offices[0] if offices else None)


def case_needs_appointment(case: Any) -> bool:
    return appointment_resource_code(case.service_version.definition) is not None


def booking_for_case(case: Any) -> Booking | None:
    """The case's active booking; once the office has marked it (到场 / 未到场), that one."""
    found = (
        Booking.objects.filter(case_id=case.pk, status=Booking.Status.BOOKED)
        .select_related("slot__resource")
        .first()
    )
    if found is None and getattr(case, "status", "draft") != "draft":
        closed: tuple[str, ...] = (Booking.Status.ATTENDED, Booking.Status.NO_SHOW)
        if getattr(case, "concluded_at", None) is not None:
            closed += (Booking.Status.CANCELLED,)  # the case ended before the day came
        found = (
            Booking.objects.filter(case_id=case.pk, status__in=closed)
            .select_related("slot__resource")
            .order_by("-created_at", "-pk")
            .first()
        )
    return found


def appointment_errors(case: Any) -> list[FieldError]:
    """A field error when the case's service needs an appointment and none is booked."""
    if not case_needs_appointment(case):
        return []
    if case.pk is not None and booking_for_case(case) is not None:
        return []
    return [
        FieldError(code="required", message=_("请预约到场办理的时段。"), field=APPOINTMENT_FIELD)
    ]


@dataclass(frozen=True)
class SlotDay:
    day: datetime.date
    slots: list[Slot]


def open_slots_by_day(
    *, resource: AppointmentResource, now: datetime.datetime | None = None, days: int = 10
) -> list[SlotDay]:
    """Slots of the next ``days`` days that have a slot at all, each with places left and
    starting after ``now``; grouped per day in time order."""
    now = now or timezone.now()
    slots = (
        Slot.objects.filter(resource=resource, starts_at__gt=now, booked__lt=F("capacity"))
        .order_by("starts_at")
        .select_related("resource")
    )
    grouped: dict[datetime.date, list[Slot]] = {}
    for slot in slots.iterator():
        if slot.day not in grouped and len(grouped) >= days:
            break
        grouped.setdefault(slot.day, []).append(slot)
    return [SlotDay(day=day, slots=items) for day, items in grouped.items()]


# --- the office's desk: the day's bookings, for the window clerks of its department ---

CLERK_ROLE = "window_clerk"
MARKED = (Booking.Status.ATTENDED, Booking.Status.NO_SHOW)
ON_THE_LIST = (Booking.Status.BOOKED, *MARKED)


def _clerk_department_ids(user: User) -> set[int]:
    if getattr(user, "kind", "") not in {"staff", "operator"}:
        return set()
    return staff_role_department_ids(user_id=user.pk, role_code=CLERK_ROLE)


def desk_may_use(*, user: User, resource: AppointmentResource) -> bool:
    """Window clerks of the office's department (or a department above it)."""
    held = _clerk_department_ids(user)
    return bool(held) and resource.department_id in department_ids_below(held)


def desk_resources_for(*, user: User) -> list[AppointmentResource]:
    held = _clerk_department_ids(user)
    if not held:
        return []
    offices = AppointmentResource.objects.filter(
        is_active=True, department_id__in=department_ids_below(held)
    ).select_related("department")
    return list(offices.order_by("code"))


def desk_resource(*, user: User, code: str) -> AppointmentResource | None:
    """The office, if ``user`` works its desk; None otherwise (as for an unknown code)."""
    resource = (
        AppointmentResource.objects.select_related("department__parent").filter(code=code).first()
    )
    return resource if resource is not None and desk_may_use(user=user, resource=resource) else None


@dataclass(frozen=True)
class DeskAttendee:
    """A person the booking expects at the counter: the applicant, the partner …"""

    code: str
    label: str
    name: str  # masked
    checked_in: bool
    can_check_in: bool


@dataclass(frozen=True)
class DeskBooking:
    id: int
    name: str  # masked
    case_number: str
    service: str
    status: str
    status_label: str
    marked_at: datetime.datetime | None
    can_check_in: bool
    can_mark_no_show: bool
    attendees: tuple[DeskAttendee, ...] = ()

    @property
    def present(self) -> int:
        return sum(1 for a in self.attendees if a.checked_in)


@dataclass(frozen=True)
class DeskSlot:
    id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int
    booked: int
    bookings: list[DeskBooking]


def may_check_in(booking: Booking, *, now: datetime.datetime) -> bool:
    """Check-in is on the slot's day only (a late arrival after a no-show mark too)."""
    return booking.status != Booking.Status.ATTENDED and booking.slot.day == timezone.localdate(now)


def expected_attendees(booking: Booking, *, case: BookingCase | None = None) -> list[NamedPerson]:
    """The persons the booking's case expects at the counter (code, label, masked name), the
    applicant first; a party the form did not name is not expected. ``case``: the booking's
    case when already read."""
    if booking.case_id is None:
        return []
    case = case if case is not None else booking_case(booking.case_id)
    if case is None:
        return []
    by_code = {p.code: p for p in case.persons}
    return [by_code[code] for code in attend_codes(case.definition) if code in by_code]


def in_person_block(*, case: Any, element_id: str, decision: str, now: datetime.datetime) -> str:
    """Why a task done with the persons present cannot be decided yet ('' when it can): it
    is approved on the booked day once every person expected is checked in; it may be
    refused from the booked day on (also when they did not come, 未到场) or when the case has
    no booking left, never before the day."""
    if element_id not in in_person_tasks(case.service_version.definition):
        return ""
    booking = booking_for_case(case)
    today = timezone.localdate(now)
    attended = booking is not None and booking.status == Booking.Status.ATTENDED
    if attended and booking is not None and booking.slot.day == today:
        return ""
    if decision == "reject" and (
        booking is None or booking.status != Booking.Status.BOOKED or booking.slot.day <= today
    ):
        return ""  # a refusal once the day has come (or they did not come): nobody waits
    names = "、".join(p.label for p in expected_attendees(booking)) if booking else ""
    if booking is None:
        return _("当场审查须在预约当天进行，该办件没有有效的预约。")
    local = timezone.localtime(booking.slot.starts_at)
    return _("当场审查须在预约当天，%(who)s到场签到后进行（预约：%(place)s，%(time)s）。") % {
        "who": names or _("申请人"),
        "place": booking.slot.resource.name,
        "time": f"{local:%Y-%m-%d %H:%M}",
    }


def may_mark_no_show(booking: Booking, *, now: datetime.datetime) -> bool:
    """No-show once the slot has started (also to correct a wrong check-in)."""
    return booking.status != Booking.Status.NO_SHOW and booking.slot.starts_at <= now


def desk_day(
    *, resource: AppointmentResource, day: datetime.date, now: datetime.datetime | None = None
) -> list[DeskSlot]:
    """The office's slots of ``day`` in time order, each with its bookings (active or marked;
    cancelled ones are left out): masked name, case number, service, status."""
    now = now or timezone.now()
    slots = list(Slot.objects.filter(resource=resource, day=day).order_by("starts_at"))
    by_slot: dict[int, list[DeskBooking]] = {slot.pk: [] for slot in slots}
    bookings = (
        Booking.objects.filter(slot__in=slots, status__in=ON_THE_LIST)
        .select_related("slot", "person")
        .order_by("created_at", "pk")
    )
    rows = list(bookings)
    cases = booking_cases(b.case_id for b in rows)
    for booking in rows:
        case = cases.get(booking.case_id or 0)
        can_check_in = may_check_in(booking, now=now)
        attendees = tuple(
            DeskAttendee(
                code=person.code,
                label=person.label,
                name=person.masked_name,
                checked_in=person.code in (booking.checked_in or [])
                or booking.status == Booking.Status.ATTENDED,
                can_check_in=can_check_in and person.code not in (booking.checked_in or []),
            )
            for person in expected_attendees(booking, case=case)
        )
        by_slot[booking.slot_id].append(
            DeskBooking(
                id=booking.pk,
                name=booking.person.masked_name if booking.person else "—",
                case_number=case.number if case is not None else "",
                service=case.service_name if case is not None else "",
                status=booking.status,
                status_label=str(Booking.Status(booking.status).label),
                marked_at=booking.marked_at,
                can_check_in=can_check_in,
                can_mark_no_show=may_mark_no_show(booking, now=now),
                attendees=attendees,
            )
        )
    return [
        DeskSlot(
            id=slot.pk,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            capacity=slot.capacity,
            booked=slot.booked,
            bookings=by_slot[slot.pk],
        )
        for slot in slots
    ]


# --- the citizen page ------------------------------------------------------------------------


@dataclass(frozen=True)
class UpcomingBooking:
    place: str  # the counter's name
    address: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    case_number: str  # '' for a booking without a case
    url: str  # the case's page ('' without a case)


def bookings_upcoming_for(*, user: User, limit: int = 5) -> tuple[list[UpcomingBooking], int]:
    """The resident's appointments still to come (booked by them or for them), soonest
    first, and how many. Two queries at most."""
    from django.db.models import Q
    from django.urls import reverse

    person_id = getattr(getattr(user, "person", None), "pk", None)
    who = (
        Q(created_by_id=user.pk) | Q(person_id=person_id) if person_id else Q(created_by_id=user.pk)
    )
    rows = Booking.objects.filter(
        who, status=Booking.Status.BOOKED, slot__ends_at__gt=timezone.now()
    )
    found = list(
        rows.select_related("slot__resource")
        .annotate(case_number=F("case__number"))
        .order_by("slot__starts_at", "pk")[:limit]
    )
    total = len(found) if len(found) < limit else rows.count()
    out = []
    for booking in found:
        number = getattr(booking, "case_number", None) or ""
        resource = booking.slot.resource
        out.append(
            UpcomingBooking(
                place=resource.name_en if _english() and resource.name_en else resource.name,
                address=resource.address,
                starts_at=booking.slot.starts_at,
                ends_at=booking.slot.ends_at,
                case_number=number,
                url=reverse("cases:case_detail", kwargs={"number": number}) if number else "",
            )
        )
    return out, total


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")
