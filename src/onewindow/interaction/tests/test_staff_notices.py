"""A chased, escalated or supervised order is told to its lead department's order handlers
(in-app, through notify), each once, with a link to the order in their inbox; nobody else
on staff hears of it."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.identity.models import Department
from onewindow.interaction.services import (
    request_dispatch,
    request_sign,
    request_supervise,
    requests_chase_sweep,
)
from onewindow.interaction.tests.orders import make_request
from onewindow.notify.models import Message
from onewindow.testing.factories import StaffFactory
from onewindow.testing.hotline import role_with

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")
MONDAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=CST)  # due Thursday 2026-11-19


def _at(day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, 0, tzinfo=CST)


@pytest.fixture
def order(streetlights, dispatcher, dept, person, staff):
    with time_machine.travel(MONDAY, tick=False):
        request = make_request(category=streetlights, person=person)
        request_dispatch(user=dispatcher, request_id=request.pk, department_id=dept("gz-cgj").pk)
        request_sign(user=staff("cgj_hotline"), request_id=request.pk)
    request.refresh_from_db()
    return request


@pytest.fixture
def handlers(dept, staff):
    """The lead department's handler, a second one there, and handlers elsewhere: in the
    department above it and in a department below it."""
    role = role_with("hotline_handler", "工单办理人员", "interaction.handle_requests")
    lead = dept("gz-cgj")
    second = StaffFactory(user__username="cgj_second", department=lead, roles=[role]).user
    parent = lead.parent
    if parent is None:
        parent = Department.objects.create(code="gz-top", name="上级")
        lead.parent = parent
        lead.save(update_fields=["parent"])
    above = StaffFactory(user__username="above", department=parent, roles=[role]).user
    child = Department.objects.create(code="gz-cgj-sub", name="下属科室", parent=lead)
    below = StaffFactory(user__username="below", department=child, roles=[role]).user
    return {"told": [staff("cgj_hotline"), second], "not_told": [above, below]}


def _messages(user, title):
    return list(Message.objects.filter(recipient=user, title=title))


def test_the_chase_and_the_escalation_tell_the_lead_departments_handlers_once(
    order, handlers, commit, staff, dispatcher
):
    with commit():
        assert requests_chase_sweep(now=_at(20)) == {"chased": 1, "escalated": 0}
    with commit():
        requests_chase_sweep(now=_at(20, 15))
    for user in handlers["told"]:
        (chased,) = _messages(user, "工单催办")
        assert chased.body == (
            f"工单{order.number}（路灯不亮）已超过答复期限2026-11-19，请尽快办理并答复。"
        )
        assert chased.link == f"/hotline/inbox/{order.number}/"
        assert chased.kind == "interaction"
    with commit():
        assert requests_chase_sweep(now=_at(21)) == {"chased": 0, "escalated": 1}
    with commit():
        requests_chase_sweep(now=_at(23))
    for user in handlers["told"]:
        (escalated,) = _messages(user, "工单超时升级")
        assert escalated.body == (
            f"工单{order.number}（路灯不亮）催办后仍未答复，已超时升级并列入督办，请尽快办理。"
        )
        assert escalated.link == f"/hotline/inbox/{order.number}/"
    staff_titles = ["工单催办", "工单超时升级"]
    for user in [*handlers["not_told"], dispatcher, order.person.user]:
        assert not Message.objects.filter(recipient=user, title__in=staff_titles).exists()


def test_a_supervisors_word_reaches_the_handlers(order, handlers, commit, dispatcher):
    with commit():
        request_supervise(user=dispatcher, request_id=order.pk, note="群众多次反映，请优先处理。")
    for user in handlers["told"]:
        (told,) = _messages(user, "工单督办")
        assert told.body == (
            f"工单{order.number}（路灯不亮）已列入督办：群众多次反映，请优先处理。请尽快办理。"
        )
        assert told.link == f"/hotline/inbox/{order.number}/"
    for user in handlers["not_told"]:
        assert _messages(user, "工单督办") == []


def test_handlers_read_it_in_english(order, handlers, commit):
    from onewindow.audit.services import Actor
    from onewindow.notify.services import preferences_update

    second = handlers["told"][1]
    preferences_update(user_id=second.pk, actor=Actor.from_user(second), language="en")
    with commit():
        requests_chase_sweep(now=_at(20))
    (told,) = Message.objects.filter(recipient=second, kind="interaction")
    assert told.title == "Order overdue"
    assert told.body == (
        f"Order {order.number} (路灯不亮) is past its answer deadline of 2026-11-19; "
        "please handle and answer it soon."
    )


def test_nothing_is_told_before_the_move_commits(order, handlers):
    requests_chase_sweep(now=_at(20))  # the test's transaction never commits
    assert not Message.objects.filter(title="工单催办").exists()
