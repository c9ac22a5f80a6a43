"""The SMS reminder goes out on the working day before the appointment, once."""

from __future__ import annotations

import datetime

import pytest

from onewindow.appointments.models import Booking, Slot
from onewindow.appointments.services import reminders_send_due
from onewindow.appointments.tests.conftest import CST
from onewindow.cases import services as case_services
from onewindow.notify.models import SmsMessage
from onewindow.notify.services import sms_text

pytestmark = pytest.mark.django_db


def _book(resident, registry, day: datetime.date) -> Booking:
    case = case_services.case_draft_start(user=resident.user, service_code="marriage-registration")
    slot = Slot.objects.filter(resource=registry, day=day)[0]
    return case_services.case_appointment_book(user=resident.user, case_id=case.pk, slot_id=slot.pk)


def test_reminder_is_sent_the_working_day_before_and_only_once(registry, marriage, resident):
    # Booked for Thursday 10-08, right after the National Day holiday.
    booking = _book(resident, registry, datetime.date(2026, 10, 8))
    on_monday = datetime.datetime(2026, 9, 28, 10, 0, tzinfo=CST)
    assert reminders_send_due(now=on_monday) == 0
    holiday = datetime.datetime(2026, 10, 7, 10, 0, tzinfo=CST)
    assert reminders_send_due(now=holiday) == 0  # 10-07 is not a working day
    day_before = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=CST)  # the last working day before
    assert reminders_send_due(now=day_before) == 1
    assert reminders_send_due(now=day_before + datetime.timedelta(hours=2)) == 0
    message = SmsMessage.objects.get()
    assert message.template == "appointment_reminder"
    text = sms_text(message)
    assert "10月08日 09:00" in text and registry.name in text
    booking.refresh_from_db()
    assert booking.reminded_at is not None


def test_no_reminder_at_night_nor_for_a_cancelled_booking(registry, marriage, resident):
    booking = _book(resident, registry, datetime.date(2026, 9, 29))
    night = datetime.datetime(2026, 9, 28, 23, 0, tzinfo=CST)
    assert reminders_send_due(now=night) == 0
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
    assert reminders_send_due(now=datetime.datetime(2026, 9, 28, 15, 0, tzinfo=CST)) == 0
    assert not SmsMessage.objects.exists()


def test_periodic_task_generates_slots_and_sends(registry, marriage, resident, clock):
    from onewindow.appointments.tasks import sweep

    _book(resident, registry, datetime.date(2026, 9, 29))
    result = sweep()
    assert result["reminders"] == 1
    assert sweep()["reminders"] == 0


def test_no_reminder_for_a_withdrawn_case(registry, marriage, resident):
    from onewindow.cases.models import Case

    booking = _book(resident, registry, datetime.date(2026, 9, 29))
    Case.objects.filter(bookings=booking).update(status=Case.Status.WITHDRAWN)
    assert reminders_send_due(now=datetime.datetime(2026, 9, 28, 15, 0, tzinfo=CST)) == 0
