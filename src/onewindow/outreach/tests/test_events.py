"""Rules on other apps' events (a case's news, a licence issued, the generic front door),
and the household register through the exchange (bills: test_bills.py)."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.audit.services import Actor
from onewindow.exchange.models import Resource
from onewindow.exchange.services import resources_sync
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


class HouseholdWithChildren:
    """The household register listing a six-year-old for one parent."""

    def __init__(self, parent_id: int) -> None:
        self.parent_id = parent_id

    def fetch(self, resource_code: str, person: Any, *, key: str = "") -> dict[str, Any] | None:
        record = {"name": person.name, "region_code": person.region_code, "children": []}
        if person.pk == self.parent_id:
            record["children"] = [
                {"name": "陈小雨", "birth_date": "2021-08-31"},  # 6 on 31 August 2027
                {"name": "陈小乐", "birth_date": "2021-09-01"},  # a year to wait
            ]
        return record


def test_a_child_reaching_school_age_is_told_to_the_parent_in_their_district(
    rules: None, commit: Any, monkeypatch: Any
) -> None:
    resources_sync(actor=Actor.system("test"))
    resource = Resource.objects.get(code="gz-gaj.household-registration")
    resource.fields = [
        *resource.fields,
        {"code": "children", "name": "同户子女", "sensitivity": "sensitive"},
    ]
    resource.save()
    parent, other = person_make(region_code="440106"), person_make(region_code="440106")
    monkeypatch.setattr(
        "onewindow.exchange.services.data_source", lambda: HouseholdWithChildren(parent.pk)
    )
    on("primary-school-enrolment")
    with time_machine.travel(MORNING, tick=False), commit():
        assert push_sweep_run() == 1
    message = Message.objects.get(recipient=parent.user)
    assert message.body == (
        "您的孩子陈小雨将于2027年8月31日前满6周岁，可在天河区报名小学一年级，请留意报名时间。"
    )
    assert message.reason == "因为您的孩子陈小雨今年达到小学入学年龄，户籍在天河区"
    assert not Message.objects.filter(recipient=other.user).exists()


def test_an_id_card_reminder_is_not_sent_for_a_card_already_expired(
    rules: None, commit: Any
) -> None:
    resident_with_id_card(TODAY - datetime.timedelta(days=1))
    on("id-card-expiring")
    with time_machine.travel(MORNING, tick=False), commit():
        assert push_sweep_run() == 0
