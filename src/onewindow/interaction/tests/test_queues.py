"""The work queues: the dispatcher's orders to dispatch (urgent first, then the oldest), what
waits for the hotline office's decision, a department's inbox with its countdown and overdue
flags, and a confidential order's requester hidden from departments."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.interaction.selectors import (
    department_inbox,
    department_request_get,
    dispatcher_queue,
)
from onewindow.interaction.selectors.desk import requests_awaiting_office
from onewindow.interaction.services import (
    request_dispatch,
    request_extension_ask,
    request_object,
    request_sign,
)
from onewindow.interaction.tests.orders import make_request

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")
MONDAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=CST)


def test_the_dispatcher_queue_lists_registered_orders_oldest_first(streetlights, dispatcher, dept):
    first = make_request(category=streetlights, registered_at=MONDAY)
    second = make_request(category=streetlights, registered_at=MONDAY + datetime.timedelta(hours=1))
    gone = make_request(category=streetlights, registered_at=MONDAY - datetime.timedelta(hours=1))
    request_dispatch(user=dispatcher, request_id=gone.pk, department_id=dept("gz-cgj").pk)
    rows = dispatcher_queue(limit=10)
    assert [r.number for r in rows] == [first.number, second.number]
    assert [r.number for r in dispatcher_queue(limit=1, offset=1)] == [second.number]
    assert not hasattr(rows[0], "contact_phone")


def test_the_dispatcher_queue_puts_urgent_orders_first_on_every_page(streetlights):
    hour = datetime.timedelta(hours=1)
    oldest = make_request(category=streetlights, registered_at=MONDAY)
    tied = [make_request(category=streetlights, registered_at=MONDAY + hour) for _ in range(2)]
    urgent = make_request(category=streetlights, registered_at=MONDAY + 3 * hour, urgency="urgent")
    # the urgent order is the newest: it still leads the first page of two
    assert [r.number for r in dispatcher_queue(limit=2)] == [urgent.number, oldest.number]
    assert [r.number for r in dispatcher_queue(limit=2, offset=2)] == [t.number for t in tied]
    assert [r.number for r in dispatcher_queue(limit=10, urgency="normal")] == [
        oldest.number,
        *(t.number for t in tied),
    ]


def test_the_office_sees_what_waits_for_its_decision_oldest_first(
    streetlights, dispatcher, dept, staff
):
    handler = staff("cgj_hotline")
    with time_machine.travel(MONDAY, tick=False):
        objected = make_request(category=streetlights, registered_at=MONDAY)
        extended = make_request(
            category=streetlights, registered_at=MONDAY - datetime.timedelta(hours=1)
        )
        plain = make_request(
            category=streetlights, registered_at=MONDAY - datetime.timedelta(hours=2)
        )
        for order in (objected, extended, plain):
            request_dispatch(user=dispatcher, request_id=order.pk, department_id=dept("gz-cgj").pk)
        request_object(user=handler, request_id=objected.pk, reason="应由水务部门主办")
        request_sign(user=handler, request_id=extended.pk)
        request_extension_ask(user=handler, request_id=extended.pk, working_days=3, reason="协调")
    assert requests_awaiting_office() == [
        (extended.number, extended.title),
        (objected.number, objected.title),
    ]
    assert requests_awaiting_office(limit=1) == [(extended.number, extended.title)]


def test_the_inbox_counts_down_in_working_days_and_flags_what_is_overdue(
    streetlights, dispatcher, dept, staff
):
    with time_machine.travel(MONDAY, tick=False):
        soon = make_request(category=streetlights, registered_at=MONDAY)
        request_dispatch(user=dispatcher, request_id=soon.pk, department_id=dept("gz-cgj").pk)
        request_sign(user=staff("cgj_hotline"), request_id=soon.pk)
    later_at = MONDAY + datetime.timedelta(days=1)
    with time_machine.travel(later_at, tick=False):
        later = make_request(category=streetlights, registered_at=later_at)
        request_dispatch(user=dispatcher, request_id=later.pk, department_id=dept("gz-cgj").pk)
    ids = [dept("gz-cgj").pk]
    on_18th = datetime.datetime(2026, 11, 18, 9, 0, tzinfo=CST)
    rows = department_inbox(department_ids=ids, now=on_18th)
    assert [(r.number, r.days_left, r.overdue, r.sign_overdue) for r in rows] == [
        (soon.number, 1, False, False),  # due Thursday 11-19
        (later.number, 2, False, True),  # due Friday 11-20, not signed within 24 hours
    ]
    on_23rd = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=CST)  # Monday
    rows = department_inbox(department_ids=ids, now=on_23rd)
    assert [(r.days_left, r.overdue) for r in rows] == [(-2, True), (-1, True)]
    assert [r.number for r in department_inbox(department_ids=ids, status="pending")] == [
        later.number
    ]
    assert department_inbox(department_ids=[dept("gz-shuiwj").pk]) == []
    assert not hasattr(rows[0], "contact_name")


def test_a_confidential_order_hides_the_requester_from_the_department(
    streetlights, dispatcher, dept, person
):
    open_order = make_request(category=streetlights, person=person)
    secret = make_request(category=streetlights, person=person, confidential=True)
    for order in (open_order, secret):
        request_dispatch(user=dispatcher, request_id=order.pk, department_id=dept("gz-cgj").pk)
    ids = [dept("gz-cgj").pk]
    seen = department_request_get(request_id=open_order.pk, department_ids=ids)
    assert seen is not None
    assert (seen.contact_name, seen.contact_phone) == ("陈小明", "13800138001")
    hidden = department_request_get(request_id=secret.pk, department_ids=ids)
    assert hidden is not None
    assert (hidden.contact_name, hidden.contact_phone, hidden.confidential) == ("", "", True)
    assert department_request_get(request_id=secret.pk, department_ids=[dept("gz-gaj").pk]) is None
    (row,) = [r for r in department_inbox(department_ids=ids) if r.request_id == secret.pk]
    assert row.confidential is True
