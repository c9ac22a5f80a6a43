"""Slots follow the working-day calendar; places are counted and never oversold."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection

from onewindow.appointments.models import AppointmentResource, Booking, Slot
from onewindow.appointments.selectors import open_slots_by_day
from onewindow.appointments.services import SlotFull, booking_cancel, slots_generate
from onewindow.audit.models import AuditEvent
from onewindow.cases import services as case_services
from onewindow.core.errors import NotFound, ValidationFailed
from onewindow.testing.factories import make_person, user_of

pytestmark = pytest.mark.django_db


def test_generation_skips_the_national_day_holiday_and_opens_the_make_up_saturday(registry):
    days = sorted(set(Slot.objects.filter(resource=registry).values_list("day", flat=True)))
    assert days == [
        datetime.date(2026, 9, 28),
        datetime.date(2026, 9, 29),
        datetime.date(2026, 9, 30),
        datetime.date(2026, 10, 8),
        datetime.date(2026, 10, 9),
        datetime.date(2026, 10, 10),  # Saturday, a make-up working day (调休)
    ]
    # 09:00–12:00 and 14:00–17:00 in 30-minute slots
    first = Slot.objects.filter(resource=registry, day=datetime.date(2026, 10, 10))
    assert first.count() == 12
    assert first[0].starts_at.hour == 1  # 09:00 in Beijing is 01:00 UTC
    assert all(s.capacity == registry.capacity for s in first)


def test_generation_is_idempotent_and_skips_years_without_calendar_data(registry):
    before = Slot.objects.count()
    assert slots_generate(resource=registry, days=6, start=datetime.date(2026, 9, 28)) == 0
    assert Slot.objects.count() == before
    # No holiday data for 2027 yet: those days are skipped rather than guessed.
    assert slots_generate(resource=registry, days=3, start=datetime.date(2027, 3, 1)) == 0


def test_open_slots_hide_the_past_and_the_full(registry, clock):
    days = open_slots_by_day(resource=registry)
    assert days[0].day == datetime.date(2026, 9, 28)
    # it is 10:00: the 09:00, 09:30 slots are gone, 10:00 has started too
    assert days[0].slots[0].starts_at.astimezone().strftime("%H:%M") != "09:00"
    assert len(days[0].slots) == 9
    slot = days[0].slots[0]
    Slot.objects.filter(pk=slot.pk).update(booked=slot.capacity)
    again = open_slots_by_day(resource=registry)
    assert slot.pk not in {s.pk for s in again[0].slots}


def _draft(user, code="marriage-registration"):
    return case_services.case_draft_start(user=user, service_code=code)


def test_capacity_is_enforced(registry, marriage):
    slot = Slot.objects.filter(resource=registry, day=datetime.date(2026, 9, 29))[0]
    Slot.objects.filter(pk=slot.pk).update(capacity=2)
    people = [make_person() for _ in range(3)]
    case_services.case_appointment_book(
        user=user_of(people[0]), case_id=_draft(user_of(people[0])).pk, slot_id=slot.pk
    )
    case_services.case_appointment_book(
        user=user_of(people[1]), case_id=_draft(user_of(people[1])).pk, slot_id=slot.pk
    )
    with pytest.raises(SlotFull) as exc:
        case_services.case_appointment_book(
            user=user_of(people[2]), case_id=_draft(user_of(people[2])).pk, slot_id=slot.pk
        )
    assert exc.value.field == "appointment"
    slot.refresh_from_db()
    assert slot.booked == 2
    assert Booking.objects.filter(slot=slot, status="booked").count() == 2


def test_booking_twice_for_one_case_keeps_one_place_and_rebooking_moves_it(
    registry, marriage, resident
):
    case = _draft(resident.user)
    a, b = Slot.objects.filter(resource=registry, day=datetime.date(2026, 9, 29))[:2]
    first = case_services.case_appointment_book(user=resident.user, case_id=case.pk, slot_id=a.pk)
    assert (
        case_services.case_appointment_book(user=resident.user, case_id=case.pk, slot_id=a.pk).pk
        == first.pk
    )
    a.refresh_from_db()
    assert a.booked == 1
    second = case_services.case_appointment_book(user=resident.user, case_id=case.pk, slot_id=b.pk)
    a.refresh_from_db()
    b.refresh_from_db()
    first.refresh_from_db()
    assert (a.booked, b.booked) == (0, 1)
    assert first.status == "cancelled" and second.status == "booked"
    assert Booking.objects.filter(case=case, status="booked").count() == 1
    actions = list(
        AuditEvent.objects.filter(action__startswith="appointments.booking").values_list(
            "action", flat=True
        )
    )
    assert actions.count("appointments.booking.create") == 2
    assert "appointments.booking.cancel" in actions
    booking_cancel(user=resident.user, booking_id=second.pk)
    booking_cancel(user=resident.user, booking_id=second.pk)  # twice: no double effect
    b.refresh_from_db()
    assert b.booked == 0


def test_refusals_change_nothing(registry, marriage, resident, tmp_path):
    case = _draft(resident.user)
    other = make_person()
    slot = Slot.objects.filter(resource=registry, day=datetime.date(2026, 9, 29))[0]
    with pytest.raises(NotFound):  # another resident's case
        case_services.case_appointment_book(user=user_of(other), case_id=case.pk, slot_id=slot.pk)
    with pytest.raises(NotFound):  # a slot that does not exist
        case_services.case_appointment_book(user=resident.user, case_id=case.pk, slot_id=999999)
    past = Slot.objects.filter(resource=registry, day=datetime.date(2026, 9, 28))[0]
    with pytest.raises(ValidationFailed):  # 09:00 today, it is 10:00 now
        case_services.case_appointment_book(user=resident.user, case_id=case.pk, slot_id=past.pk)
    counter = AppointmentResource.objects.get(code="exit-entry-counter")
    wrong = Slot.objects.filter(resource=counter).order_by("-pk")[0]
    with pytest.raises(NotFound):  # a slot of a counter this service does not use
        case_services.case_appointment_book(user=resident.user, case_id=case.pk, slot_id=wrong.pk)
    assert not Booking.objects.exists()
    assert set(Slot.objects.values_list("booked", flat=True)) == {0}


@pytest.mark.django_db(transaction=True)
def test_two_residents_cannot_take_the_last_place(city):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:"):
        pytest.skip("in-memory SQLite test database is not shared safely between threads")
    from onewindow.audit.services import Actor
    from onewindow.catalog.services import service_packages_import
    from onewindow.identity.models import Department
    from onewindow.testing.demo_packages import catalog_dir

    service_packages_import(
        actor=Actor.system("test"), paths=[catalog_dir() / "marriage-registration"]
    )
    resource = AppointmentResource.objects.create(
        code="marriage-registry",
        name="婚姻登记处",
        department=Department.objects.get(code="gz-mzj"),
        capacity=1,
    )
    now = datetime.datetime.now(datetime.UTC)
    slot = Slot.objects.create(
        resource=resource,
        day=now.date(),
        starts_at=now + datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=1, minutes=30),
        capacity=1,
    )
    people = [make_person() for _ in range(4)]
    cases = [_draft(p.user) for p in people]
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def book(i: int) -> None:
        start.wait()
        try:
            case_services.case_appointment_book(
                user=user_of(people[i]), case_id=cases[i].pk, slot_id=slot.pk
            )
            outcomes.append("booked")
        except SlotFull:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "full", "full", "full"]
    slot.refresh_from_db()
    assert slot.booked == 1
    assert Booking.objects.filter(status="booked").count() == 1


def test_discarding_a_draft_gives_its_place_back(registry, marriage, resident):
    case = _draft(resident.user)
    slot = Slot.objects.filter(resource=registry, day=datetime.date(2026, 9, 29))[0]
    booking = case_services.case_appointment_book(
        user=resident.user, case_id=case.pk, slot_id=slot.pk
    )
    case_services.case_draft_discard(user=resident.user, case_id=case.pk)
    slot.refresh_from_db()
    booking.refresh_from_db()
    assert slot.booked == 0
    assert booking.status == "cancelled" and booking.case_id is None
