"""Deadlines in working days with the 2026 holidays (National Day), the urgent sign limit,
and a same-day consultation that had to be dispatched."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.interaction.models import Kind, TimeLimit, Urgency
from onewindow.interaction.services import request_dispatch
from onewindow.interaction.tests.orders import make_request

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")


def _dispatched(request, dispatcher, dept):
    request_dispatch(user=dispatcher, request_id=request.pk, department_id=dept("gz-cgj").pk)
    request.refresh_from_db()
    return request


def test_a_complaint_of_30_september_is_due_13_working_days_after_national_day(
    streetlights, dispatcher, dept
):
    at = datetime.datetime(2026, 9, 30, 16, 0, tzinfo=CST)
    with time_machine.travel(at, tick=False):
        request = _dispatched(
            make_request(category=streetlights, registered_at=at), dispatcher, dept
        )
    # 10-01..10-07 are the holiday; Saturday 10-10 is a make-up working day
    assert request.answer_due == datetime.date(2026, 10, 23)
    assert request.assignments.get().answer_due == datetime.date(2026, 10, 23)


def test_an_urgent_order_is_signed_for_within_two_hours_and_answered_next_working_day(
    streetlights, dispatcher, dept
):
    at = datetime.datetime(2026, 9, 30, 16, 0, tzinfo=CST)
    with time_machine.travel(at, tick=False):
        request = _dispatched(
            make_request(category=streetlights, urgency=Urgency.URGENT, registered_at=at),
            dispatcher,
            dept,
        )
    part = request.assignments.get()
    assert part.sign_due_at == at + datetime.timedelta(hours=2)
    assert request.answer_due == datetime.date(2026, 10, 8)


def test_a_consultation_that_had_to_be_dispatched_gets_its_fallback_days(
    streetlights, dispatcher, dept
):
    at = datetime.datetime(2026, 11, 6, 10, 0, tzinfo=CST)  # a Friday
    with time_machine.travel(at, tick=False):
        request = _dispatched(
            make_request(category=streetlights, kind=Kind.CONSULTATION, registered_at=at),
            dispatcher,
            dept,
        )
    assert request.answer_due == datetime.date(2026, 11, 11)  # 3 working days


def test_the_hotline_office_s_own_limits_are_used(streetlights, dispatcher, dept):
    TimeLimit.objects.create(
        kind=Kind.COMPLAINT, urgency=Urgency.NORMAL, sign_hours=4, answer_working_days=5
    )
    at = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=CST)
    with time_machine.travel(at, tick=False):
        request = _dispatched(
            make_request(category=streetlights, registered_at=at), dispatcher, dept
        )
    assert request.answer_due == datetime.date(2026, 11, 9)
    assert request.assignments.get().sign_due_at == at + datetime.timedelta(hours=4)
