"""Chased the day after a missed deadline, escalated a day after the chase, the visit's
invitation the day after the answer: each once, however often the beat runs."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from onewindow.audit.models import AuditEvent
from onewindow.interaction import audit_events
from onewindow.interaction.models import Move
from onewindow.interaction.services import (
    request_answer,
    request_dispatch,
    request_sign,
    requests_chase_sweep,
    requests_visit_invite,
)
from onewindow.interaction.tests.orders import make_request
from onewindow.notify.models import Message

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
    return request


def test_chased_the_day_after_the_deadline_then_escalated_each_once(order):
    assert requests_chase_sweep(now=_at(19, 20)) == {"chased": 0, "escalated": 0}  # due today
    assert requests_chase_sweep(now=_at(20)) == {"chased": 1, "escalated": 0}
    assert requests_chase_sweep(now=_at(20, 15)) == {"chased": 0, "escalated": 0}
    order.refresh_from_db()
    assert order.chased_at == _at(20)
    assert order.escalated_at is None
    assert requests_chase_sweep(now=_at(21)) == {"chased": 0, "escalated": 1}
    assert requests_chase_sweep(now=_at(21, 16)) == {"chased": 0, "escalated": 0}
    assert requests_chase_sweep(now=_at(23)) == {"chased": 0, "escalated": 0}
    order.refresh_from_db()
    assert (order.escalated_at, order.supervised) == (_at(21), True)
    actions = list(order.moves.values_list("action", flat=True))
    assert actions.count(Move.Action.CHASE) == 1
    assert actions.count(Move.Action.ESCALATE) == 1
    assert AuditEvent.objects.filter(action=audit_events.REQUEST_CHASE).count() == 1
    assert AuditEvent.objects.get(action=audit_events.REQUEST_ESCALATE).actor_kind == "system"


def test_an_answered_order_is_not_chased(order, staff):
    with time_machine.travel(_at(19), tick=False):
        request_answer(user=staff("cgj_hotline"), request_id=order.pk, answer="已修复。")
    assert requests_chase_sweep(now=_at(20)) == {"chased": 0, "escalated": 0}


def test_the_visit_invitation_is_sent_the_day_after_the_answer_once(order, staff, person, commit):
    with time_machine.travel(_at(10), tick=False), commit():
        request_answer(user=staff("cgj_hotline"), request_id=order.pk, answer="已修复。")
    with time_machine.travel(_at(10, 18), tick=False), commit():
        assert requests_visit_invite() == 0
    with time_machine.travel(_at(11, 10), tick=False), commit():
        assert requests_visit_invite() == 1
        requests_visit_invite()
    told = Message.objects.filter(recipient=person.user, title="邀请您评价")
    assert told.count() == 1
    assert told.get().body == (
        f"您反映的诉求（工单编号{order.number}）已答复，请评价问题是否解决及您的满意程度。"
    )


def test_the_beat_runs_the_sweeps():
    tasks = {job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"interaction.chase_overdue", "interaction.visit_invite"} <= tasks
