"""Rules on other apps' events (a case's news, a licence issued, the generic front door),
bills through a fake fact source, and the household register through the exchange."""

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
from onewindow.outreach.facts import ContributionGap, DueBill, bill_source_set
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


class FakeBills:
    def __init__(self, bills: list[DueBill], gaps: dict[int, ContributionGap]) -> None:
        self.bills, self.gaps = bills, gaps

    def due_between(self, *, start: Any, end: Any, unpaid_only: bool = True) -> list[DueBill]:
        return [b for b in self.bills if start <= b.due_date <= end]

    def contribution_gap(self, *, person_id: int) -> ContributionGap | None:
        return self.gaps.get(person_id)


def test_bills_due_in_three_days_and_overdue_are_told_once_each(rules: None, commit: Any) -> None:
    person = person_make()
    bills = [
        DueBill(
            person.pk,
            person.user_id,
            "w-11",
            "水费",
            "86.40",
            TODAY + datetime.timedelta(days=3),
            "2026-11",
        ),
        DueBill(
            person.pk,
            person.user_id,
            "e-11",
            "电费",
            "212.00",
            TODAY + datetime.timedelta(days=5),
            "2026-11",
        ),
        DueBill(
            person.pk,
            person.user_id,
            "g-10",
            "燃气费",
            "45.00",
            TODAY - datetime.timedelta(days=2),
            "2026-10",
        ),
    ]
    bill_source_set(FakeBills(bills, {}))
    on("bill-due-3-days")
    on("bill-overdue")
    with time_machine.travel(MORNING, tick=False), commit():
        assert push_sweep_run() == 2
    texts = sorted(Message.objects.filter(recipient=person.user).values_list("body", "reason"))
    assert texts == [
        (
            "您的水费账单86.40元将于2026-12-10到期，请按时缴纳。",
            "因为您订阅的水费账单将于 2026-12-10 到期",
        ),
        (
            "您的燃气费账单45.00元已于2026-12-05到期未缴，请尽快缴纳以免产生滞纳金。",
            "因为您订阅的燃气费账单已于 2026-12-05 逾期",
        ),
    ]


def test_without_the_bills_app_bill_rules_find_no_facts(rules: None, commit: Any) -> None:
    person_make()
    on("bill-due-3-days")
    on("social-insurance-gap")
    with time_machine.travel(MORNING, tick=False), commit():
        assert push_sweep_run() == 0


def test_a_contribution_gap_is_told(rules: None, commit: Any) -> None:
    person, paying = person_make(), person_make()
    bill_source_set(
        FakeBills([], {person.pk: ContributionGap(months=3, since=datetime.date(2026, 9, 1))})
    )
    on("social-insurance-gap")
    with time_machine.travel(MORNING, tick=False), commit():
        assert push_sweep_run() == 1
    message = Message.objects.get(recipient=person.user)
    assert message.reason == "因为您的社会保险有 3 个月未缴费"
    assert not Message.objects.filter(recipient=paying.user).exists()


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


def test_a_bill_that_arrives_is_judged_at_once(rules: None, commit: Any) -> None:
    from onewindow.outreach.receivers import on_bill_arrived

    person = person_make()
    on("bill-due-3-days")
    bill = {
        "id": "w-12",
        "kind": "水费",
        "amount": "90.10",
        "due_date": "2026-12-10",
        "period": "2026-11",
    }
    with time_machine.travel(MORNING, tick=False), commit():
        on_bill_arrived(sender=None, person_id=person.pk, bill=bill)
        on_bill_arrived(sender=None, person_id=person.pk, bill=bill)
    (message,) = Message.objects.filter(recipient=person.user)
    assert message.body == "您的水费账单90.10元将于2026-12-10到期，请按时缴纳。"
    assert message.source_key == "push:bill-due-3-days:bill:w-12"
