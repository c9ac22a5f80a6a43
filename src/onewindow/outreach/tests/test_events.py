"""Rules on other apps' events (a case's news, a licence issued, the generic front door),
and the household register through the exchange (bills: test_bills.py)."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.exchange.models import CallLog
from onewindow.notify.models import Message, SmsMessage
from onewindow.outreach.models import PushLog, PushRule
from onewindow.outreach.services import outreach_event_raise, push_sweep_run
from onewindow.testing.applying import apply
from onewindow.testing.outreach import person_make, resident_with_id_card

pytestmark = pytest.mark.django_db

CITY = ZoneInfo("Asia/Shanghai")
MORNING = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=CITY)
TODAY = MORNING.date()
CODE = "grad-employment-test"


def on(code: str, **changes: Any) -> PushRule:
    PushRule.objects.filter(code=code).update(enabled=True, **changes)
    return PushRule.objects.get(code=code)


def test_a_case_update_is_told_once_under_the_cases_own_message_key(
    rules: None, parallel_service: Any, resident: Any, fake_sms: Any, commit: Any
) -> None:
    on("case-status-changed")
    with time_machine.travel(MORNING), commit():
        case = apply(resident.user, CODE)
    (message,) = Message.objects.filter(recipient=resident.user)
    assert message.body.startswith("您申请的高校毕业生就业报到（测试）")  # the case's own words
    push = PushLog.objects.get(rule__code="case-status-changed")
    row = case.events.get(kind="submitted")
    assert push.source_key == f"case-news:{row.pk}" == message.source_key
    assert push.status == "already_told"  # the same message: nobody is told twice
    assert SmsMessage.objects.count() == 1


def test_a_policy_published_through_the_front_door_reaches_its_area(
    rules: None, commit: Any
) -> None:
    PushRule.objects.create(
        code="policy-tianhe",
        name="天河区政策发布",
        trigger="policy.published",
        condition='district == policy_area and policy_topic == "教育"',
        variables=["policy_title", "event_object"],
        template="新政策：{policy_title}",
        reason="因为您住在政策适用的区域",
        object_key="{event_object}",
        channels=["inapp"],
        enabled=True,
    )
    inside = person_make(region_code="440106")
    outside = person_make(region_code="440111")
    facts = {
        "policy_title": "天河区义务教育阶段招生方案",
        "policy_area": "440106",
        "policy_topic": "教育",
    }
    with time_machine.travel(MORNING, tick=False), commit():
        for person in (inside, outside):
            outreach_event_raise(
                trigger="policy.published", person_id=person.pk, object_key="policy:7", facts=facts
            )
        outreach_event_raise(  # the same news again
            trigger="policy.published", person_id=inside.pk, object_key="policy:7", facts=facts
        )
    (message,) = Message.objects.all()
    assert message.recipient_id == inside.user_id
    assert (message.body, message.reason) == (
        "新政策：天河区义务教育阶段招生方案",
        "因为您住在政策适用的区域",
    )
    assert message.source_key == "push:policy-tianhe:policy:7"


def test_an_unknown_event_is_refused_by_the_front_door() -> None:
    with pytest.raises(ValueError):
        outreach_event_raise(trigger="case.exploded", person_id=1, object_key="x")


def test_a_child_reaching_school_age_is_told_to_the_parent_in_their_district(
    rules: None, commit: Any
) -> None:
    """梁国华 (a printed demo resident): the household register lists his son, 6 by 31 August
    of the coming enrolment year; asked through the exchange with the platform's grant."""
    parent = person_make(phone="13800000004", name="梁国华", region_code="440112")
    other = person_make(phone="13800000003", name="黄淑仪", region_code="440105")
    on("primary-school-enrolment")
    with time_machine.travel(MORNING, tick=False), commit():
        assert push_sweep_run() == 1
    message = Message.objects.get(recipient=parent.user)
    assert message.body == (
        "您的孩子梁子墨将于2027年8月31日前满6周岁，可在黄埔区报名小学一年级，请留意报名时间。"
    )
    assert message.reason == "因为您的孩子梁子墨今年达到小学入学年龄，户籍在黄埔区"
    assert message.link == "/services/primary-school-enrolment/"
    assert not Message.objects.filter(recipient=other.user).exists()
    calls = CallLog.objects.filter(resource_code="gz-gaj.household-registration")
    assert calls.count() == 2  # one look-up per resident
    assert {(c.purpose, tuple(c.fields), c.outcome) for c in calls} == {
        ("主动推送：为居民提示可办事项", ("children",), "ok")
    }


def test_an_id_card_reminder_is_not_sent_for_a_card_already_expired(
    rules: None, commit: Any
) -> None:
    resident_with_id_card(TODAY - datetime.timedelta(days=1))
    on("id-card-expiring")
    with time_machine.travel(MORNING, tick=False), commit():
        assert push_sweep_run() == 0
