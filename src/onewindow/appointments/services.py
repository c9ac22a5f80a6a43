"""Writes: generate slots from a resource's weekly template, book and cancel a place,
send the reminder the working day before.

A booking is for a case, which the cases app owns: it books through :func:`booking_create`
with what appointments needs of the case (its id, its service's definition, the person
booking), tells appointments about its cases through the source it registers
(:func:`case_facts_source_set`), and hears of the office's marks through
``appointments.signals.booking_marked``."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy

from onewindow.appointments import audit_events
from onewindow.appointments.case_facts import BookingCase, booking_case, booking_cases
from onewindow.appointments.case_facts import case_facts_source_set as case_facts_source_set
from onewindow.appointments.home_changes import bookings_home_changed
from onewindow.appointments.models import AppointmentResource, Booking, Slot
from onewindow.appointments.selectors import (
    APPOINTMENT_FIELD,
    appointment_resource_codes,
    attend_codes,
    desk_may_use,
    expected_attendees,
    may_check_in,
    may_mark_no_show,
)
from onewindow.appointments.signals import BookingMark, booking_marked
from onewindow.audit.services import Actor, AuditEntry, audit_record
from onewindow.core.calendar import CalendarNotCovered, add_working_days, is_working_day
from onewindow.core.errors import Conflict, NotFound, ValidationFailed

if TYPE_CHECKING:
    from onewindow.identity.models import User

logger = logging.getLogger(__name__)

# Reminders go out in daytime only (local time).
REMINDER_HOURS = (9, 21)


class SlotFull(Conflict):
    code = "slot_full"


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _periods(resource: AppointmentResource, day: datetime.date) -> list[tuple[str, str]]:
    hours = resource.hours or {}
    periods = hours.get(str(day.isoweekday()))
    if periods is None and day.isoweekday() >= 6:  # a make-up working day (调休)
        periods = hours.get("1")
    return [(str(p[0]), str(p[1])) for p in periods or []]


def _slot_times(
    resource: AppointmentResource, day: datetime.date
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    tz = _tz()
    step = datetime.timedelta(minutes=max(int(resource.slot_minutes), 5))
    out = []
    for start_s, end_s in _periods(resource, day):
        start = datetime.datetime.combine(day, datetime.time.fromisoformat(start_s), tzinfo=tz)
        end = datetime.datetime.combine(day, datetime.time.fromisoformat(end_s), tzinfo=tz)
        while start + step <= end:
            out.append((start, start + step))
            start += step
    return out


@transaction.atomic(durable=True)
def slots_generate(
    *,
    resource: AppointmentResource,
    days: int = 10,
    start: datetime.date | None = None,
    actor: Actor | None = None,
) -> int:
    """Slots for the next ``days`` working days from ``start`` (today by default): public
    holidays are skipped, make-up working days included, days the holiday calendar does not
    cover yet are skipped. Running it again adds nothing twice. Returns slots created."""
    day = start or timezone.localdate()
    rows: list[Slot] = []
    found = 0
    for _offset in range(days * 3 + 30):
        if found >= days:
            break
        try:
            working = is_working_day(day)
        except CalendarNotCovered:
            working = False
        if working:
            found += 1
            rows.extend(
                Slot(
                    resource=resource,
                    day=day,
                    starts_at=a,
                    ends_at=b,
                    capacity=resource.capacity,
                )
                for a, b in _slot_times(resource, day)
            )
        day += datetime.timedelta(days=1)
    if not rows:
        return 0
    existing = set(
        Slot.objects.filter(
            resource=resource, starts_at__in=[r.starts_at for r in rows]
        ).values_list("starts_at", flat=True)
    )
    new = [r for r in rows if r.starts_at not in existing]
    Slot.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        audit_record(
            actor=actor or Actor.system("appointments"),
            action=audit_events.SLOTS_GENERATE,
            target=resource,
            changes={"created": len(new), "from": new[0].day.isoformat()},
        )
    return len(new)


def slots_generate_all(*, days: int = 10) -> int:
    total = 0
    for resource in AppointmentResource.objects.filter(is_active=True):
        total += slots_generate(resource=resource, days=days)
    return total


def _take_place(slot_id: int) -> Slot:
    slot = Slot.objects.select_for_update().select_related("resource").filter(pk=slot_id).first()
    if slot is None:
        raise NotFound(gettext_lazy("没有找到该预约时段。"), field=APPOINTMENT_FIELD)
    taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise SlotFull(gettext_lazy("该时段已约满，请选择其他时段。"), field=APPOINTMENT_FIELD)
    return slot


def _release_place(slot_id: int) -> None:
    Slot.objects.select_for_update().filter(pk=slot_id).first()
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def booking_create(
    *,
    user: User,
    case_id: int,
    definition: Mapping[str, Any] | None,
    person_id: int | None,
    slot_id: int,
    now: datetime.datetime | None = None,
) -> tuple[Booking, list[AuditEntry]]:
    """Book a place for case ``case_id`` at one of the offices of its service (``definition``,
    its service version's: ``appointment:``), made by ``user`` for ``person_id`` (the
    applicant, or the company's agent). Booking another slot cancels the case's current
    booking in the same transaction; the same slot again changes nothing.

    The cases app calls it (``cases.services.case_appointment_book``) once it has checked that
    the case is ``user``'s and still open, and holds the case's lock: that lock serialises the
    bookings of one case. It runs in that transaction and writes no audit row: it returns the
    booking and what the rows say (the replaced booking's cancellation, then the booking),
    none when nothing changed, for the case's use case to record."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("booking_create must run inside transaction.atomic")
    now = now or timezone.now()
    codes = appointment_resource_codes(definition)
    if not codes:
        raise ValidationFailed(
            gettext_lazy("该事项无需预约。"), code="no_appointment", field=APPOINTMENT_FIELD
        )
    slot = Slot.objects.select_related("resource").filter(pk=slot_id).first()
    if slot is None or slot.resource.code not in codes or not slot.resource.is_active:
        raise NotFound(gettext_lazy("没有找到该预约时段。"), field=APPOINTMENT_FIELD)
    if slot.starts_at <= now:
        raise ValidationFailed(
            gettext_lazy("该时段已过，请选择其他时段。"), code="slot_past", field=APPOINTMENT_FIELD
        )
    current = (
        Booking.objects.select_for_update()
        .filter(case_id=case_id, status=Booking.Status.BOOKED)
        .first()
    )
    if current is not None and current.slot_id == slot.pk:
        return current, []
    # Lock slots in id order (old and new) so two rebookings cannot deadlock.
    order = sorted({slot.pk, *([current.slot_id] if current else [])})
    list(Slot.objects.select_for_update().filter(pk__in=order).order_by("pk"))
    _take_place(slot.pk)
    audit: list[AuditEntry] = []
    if current is not None:
        Booking.objects.filter(pk=current.pk).update(
            status=Booking.Status.CANCELLED, cancelled_at=now
        )
        bookings_home_changed(booking_ids=[current.pk])
        _release_place(current.slot_id)
        audit.append(
            AuditEntry(
                action=audit_events.BOOKING_CANCEL,
                target=current,
                changes={"reason": "rebooked"},
            )
        )
    booking = Booking.objects.create(
        slot=slot, case_id=case_id, person_id=person_id, created_by=user
    )
    audit.append(
        AuditEntry(
            action=audit_events.BOOKING_CREATE,
            target=booking,
            changes={
                "resource": slot.resource.code,
                "starts_at": timezone.localtime(slot.starts_at).isoformat(),
                "case": case_id,
                "replaces": current.pk if current else None,
            },
        )
    )
    return booking, audit


@transaction.atomic(durable=True)
def booking_cancel(
    *,
    user: User,
    booking_id: int,
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> Booking:
    """Cancel an active booking of ``user``; cancelling again changes nothing."""
    booking = Booking.objects.select_for_update().filter(pk=booking_id).first()
    if booking is None or booking.created_by_id != user.pk:
        raise NotFound(gettext_lazy("没有找到该预约。"))
    if booking.status != Booking.Status.BOOKED:
        return booking
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = now or timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    _release_place(booking.slot_id)
    audit_record(
        actor=actor or Actor.from_user(user),
        action=audit_events.BOOKING_CANCEL,
        target=booking,
        changes={"reason": "resident"},
    )
    return booking


def bookings_release_for_case(
    *, case_id: int, reason: str, actor: Actor | None = None, now: datetime.datetime | None = None
) -> int:
    """Cancel a case's active booking and give its place back (a discarded draft, a
    withdrawn case). Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("bookings_release_for_case must run inside transaction.atomic")
    released = 0
    for booking in Booking.objects.select_for_update().filter(
        case_id=case_id, status=Booking.Status.BOOKED
    ):
        Booking.objects.filter(pk=booking.pk).update(
            status=Booking.Status.CANCELLED, cancelled_at=now or timezone.now(), case=None
        )
        bookings_home_changed(booking_ids=[booking.pk])
        _release_place(booking.slot_id)
        audit_record(
            actor=actor or Actor.system("appointments"),
            action=audit_events.BOOKING_CANCEL,
            target=booking,
            changes={"reason": reason, "case": case_id},
        )
        released += 1
    return released


def bookings_close_for_case(*, case_id: int, now: datetime.datetime) -> int:
    """The case has ended: its booking ends with it. One whose slot is still ahead is
    cancelled and its place given back; one whose slot has begun without the office
    checking everybody in is 未到场. A booking marked already stays as marked. Must run
    inside the caller's transaction (no audit row of its own: the case's conclusion has
    one)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("bookings_close_for_case must run inside transaction.atomic")
    closed = 0
    for booking in (
        Booking.objects.select_for_update(of=("self",))
        .select_related("slot")
        .filter(case_id=case_id, status=Booking.Status.BOOKED)
    ):
        if booking.slot.starts_at > now:
            Booking.objects.filter(pk=booking.pk).update(
                status=Booking.Status.CANCELLED, cancelled_at=now
            )
            _release_place(booking.slot_id)
        else:
            Booking.objects.filter(pk=booking.pk).update(
                status=Booking.Status.NO_SHOW, marked_at=now
            )
        bookings_home_changed(booking_ids=[booking.pk])
        closed += 1
    return closed


def _marked(
    *,
    user: User,
    booking_id: int,
    outcome: str,
    actor: Actor | None,
    now: datetime.datetime | None,
    attendee: str | None = None,
) -> Booking:
    now = now or timezone.now()
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("slot__resource__department")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None or not desk_may_use(user=user, resource=booking.slot.resource):
        raise NotFound(gettext_lazy("没有找到该预约。"), field="booking")
    if booking.status == outcome:
        return booking  # marked so already: nothing changes, nothing is recorded twice
    if booking.status == Booking.Status.CANCELLED:
        raise Conflict(
            gettext_lazy("该预约已取消，不能签到或标记未到场。"), code="booking_cancelled"
        )
    case = booking_case(booking.case_id)
    if case is not None and case.concluded:
        raise Conflict(gettext_lazy("该办件已办结，不能再签到。"), code="case_closed")
    if outcome == Booking.Status.ATTENDED and not may_check_in(booking, now=now):
        raise Conflict(gettext_lazy("只能在预约当天签到。"), code="not_today")
    if outcome == Booking.Status.NO_SHOW and not may_mark_no_show(booking, now=now):
        raise Conflict(gettext_lazy("预约时段开始后才能标记未到场。"), code="too_early")
    before = booking.status
    arrived: list[Any] = []
    if outcome == Booking.Status.ATTENDED:
        expected = expected_attendees(booking, case=case)
        if attendee is not None and attendee not in {p.code for p in expected}:
            raise NotFound(gettext_lazy("该预约没有这位到场人。"), field="attendee")
        present = list(booking.checked_in or [])
        arrived = [
            p
            for p in expected
            if p.code not in present and (attendee is None or p.code == attendee)
        ]
        if not arrived:
            return booking  # checked in already
        present += [p.code for p in arrived]
        booking.checked_in = present
        if {p.code for p in expected} <= set(present):
            booking.status = outcome  # everybody is here: 已到场
    else:
        booking.status = outcome
    booking.marked_at, booking.marked_by = now, user
    booking.save(update_fields=["status", "marked_at", "marked_by", "checked_in"])
    if booking.case_id:
        _tell_case(booking, outcome=outcome, arrived=arrived)
    audit_record(
        actor=actor or Actor.from_user(user),
        action=(
            audit_events.BOOKING_CHECK_IN
            if outcome == Booking.Status.ATTENDED
            else audit_events.BOOKING_NO_SHOW
        ),
        target=booking,
        changes={
            "status": [before, booking.status],
            "case": booking.case_id,
            **({"checked_in": booking.checked_in} if arrived else {}),
        },
    )
    return booking


def _tell_case(booking: Booking, *, outcome: str, arrived: list[Any]) -> None:
    """The case hears of the mark (``booking_marked``: the cases app notes it on the case's
    timeline), in this transaction."""
    mark = BookingMark(
        booking_id=booking.pk,
        case_id=int(booking.case_id or 0),
        outcome=outcome,
        everybody=booking.status == Booking.Status.ATTENDED,
        arrived=tuple(p.label for p in arrived),
        earlier=len(booking.checked_in or []) > len(arrived),  # others had come before
        place=booking.slot.resource.name,
        starts_at=booking.slot.starts_at,
    )
    booking_marked.send(sender=BookingMark, mark=mark)


@transaction.atomic(durable=True)
def booking_check_in(
    *,
    user: User,
    booking_id: int,
    attendee: str | None = None,
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> Booking:
    """A window clerk of the office checks a person in (签到), on the slot's day: one of
    those the service expects (``attendee``: ``applicant``, ``partner`` …), or all of them
    when None. The booking is 已到场 once everybody expected is. Checking in again changes
    nothing; after a no-show mark it corrects it."""
    return _marked(
        user=user,
        booking_id=booking_id,
        outcome=Booking.Status.ATTENDED,
        actor=actor,
        now=now,
        attendee=attendee,
    )


@transaction.atomic(durable=True)
def booking_mark_no_show(
    *,
    user: User,
    booking_id: int,
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> Booking:
    """A window clerk marks that nobody came (未到场), once the slot has started. Marking
    again changes nothing; after a check-in it corrects it."""
    return _marked(
        user=user, booking_id=booking_id, outcome=Booking.Status.NO_SHOW, actor=actor, now=now
    )


def _reminder_due_days(today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """Slot days to remind about today: from tomorrow to the next working day (on the
    working day before). None when today is not a working day or the calendar ends."""
    try:
        if not is_working_day(today):
            return None
        return today + datetime.timedelta(days=1), add_working_days(today, 1)
    except CalendarNotCovered:
        return None


def _remind_one(booking_id: int, now: datetime.datetime, case: BookingCase | None) -> bool:
    from onewindow.notify.services import sms_send

    with transaction.atomic(durable=True):
        claimed = Booking.objects.filter(
            pk=booking_id, status=Booking.Status.BOOKED, reminded_at__isnull=True
        ).update(reminded_at=now)
        if not claimed:
            return False
        booking = Booking.objects.select_related("slot__resource", "person").get(pk=booking_id)
        phones = [booking.person.phone] if booking.person and booking.person.phone else []
        phones += _joint_phones(case)  # the other party of a marriage comes too
        if not phones:
            logger.info("booking %s: no phone on record, no reminder sent", booking_id)
            return False
        local = timezone.localtime(booking.slot.starts_at)
        for phone in dict.fromkeys(phones):
            sms_send(
                phone=phone,
                template="appointment_reminder",
                params={
                    "place": booking.slot.resource.name,
                    "time": f"{local:%m月%d日 %H:%M}",
                    "address": booking.slot.resource.address or booking.slot.resource.name,
                },
                actor=Actor.system("appointments"),
            )
        audit_record(
            actor=Actor.system("appointments"),
            action=audit_events.BOOKING_REMIND,
            target=booking,
        )
        return True


def _joint_phones(case: BookingCase | None) -> list[str]:
    """The phones of the joint applicants expected at the counter who have agreed (on their
    real-name records)."""
    if case is None:
        return []
    expected = set(attend_codes(case.definition))
    return [phone for code, phone in case.joint_phones.items() if code in expected and phone]


def reminders_send_due(*, now: datetime.datetime | None = None) -> int:
    """Send the SMS reminder for every active booking whose slot is on the next working
    day. Each booking is claimed with a conditional UPDATE first: never two reminders."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if not REMINDER_HOURS[0] <= local.hour < REMINDER_HOURS[1]:
        return 0
    span = _reminder_due_days(local.date())
    if span is None:
        return 0
    rows = list(
        Booking.objects.filter(
            status=Booking.Status.BOOKED,
            reminded_at__isnull=True,
            slot__day__gte=span[0],
            slot__day__lte=span[1],
        ).values_list("pk", "case_id")
    )
    cases = booking_cases(case_id for _pk, case_id in rows)
    due = [(pk, cases.get(case_id or 0)) for pk, case_id in rows]
    return sum(
        1
        for pk, case in due
        if not (case is not None and case.called_off)  # nothing to come for
        and _remind_one(pk, now, case)
    )
