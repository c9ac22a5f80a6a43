"""Before switching a rule on: how many it would reach, a masked sample, per-district
counts; a wide rule needs a second operator; 免申即享 lists wait for their department."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import PermissionDenied
from onewindow.notify.models import Message
from onewindow.outreach.models import PushLog, PushRule
from onewindow.outreach.selectors import push_rule_preview
from onewindow.outreach.services import (
    outreach_demo_seed,
    push_department_confirm,
    push_rule_switch_on,
    push_sweep_run,
)
from onewindow.testing.factories import DepartmentFactory, StaffFactory
from onewindow.testing.outreach import operator_make, person_make, resident_with_id_card

pytestmark = pytest.mark.django_db

CITY = ZoneInfo("Asia/Shanghai")
MORNING = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=CITY)
TODAY = MORNING.date()


def population() -> None:
    resident_with_id_card(datetime.date(2027, 1, 5), name="陈嘉欣", phone="13800000001")
    resident_with_id_card(datetime.date(2027, 2, 1), region_code="440106")
    resident_with_id_card(datetime.date(2027, 2, 2), region_code="440111")
    resident_with_id_card(datetime.date(2028, 1, 1))


def test_the_preview_counts_samples_masked_and_splits_by_district(rules: None) -> None:
    population()
    preview = push_rule_preview(code="id-card-expiring", today=TODAY)
    assert (preview.reach, preview.scanned) == (3, 4)
    assert preview.by_district == [("天河区", 2), ("白云区", 1)]
    first = preview.sample[0]
    assert (first.name, first.phone, first.district) == ("陈*欣", "138****0001", "天河区")
    assert first.reason == "因为您的身份证将于 2027-01-05 到期"
    assert not PushLog.objects.exists()  # a preview tells nobody


def test_push_rule_preview_prints_the_count(rules: None) -> None:
    population()
    out = StringIO()
    with time_machine.travel(MORNING, tick=False):
        call_command("push_rule_preview", "id-card-expiring", stdout=out)
    assert out.getvalue().splitlines()[0] == "3"


def test_a_rule_reaching_more_than_the_threshold_needs_a_second_operator(
    rules: None, settings: Any
) -> None:
    settings.OUTREACH_CONFIRM_ABOVE = 2
    population()
    first, second = operator_make(), operator_make()
    with time_machine.travel(MORNING, tick=False):
        asked = push_rule_switch_on(user=first, code="id-card-expiring")
        assert (asked.enabled, asked.reach) == (False, 3)
        assert not PushRule.objects.get(code="id-card-expiring").enabled
        with pytest.raises(PermissionDenied) as refused:
            push_rule_switch_on(user=first, code="id-card-expiring")
        assert str(refused.value.message) == (
            "该规则将推送给 3 人，须由另一名操作员确认后才能启用。"
        )
        done = push_rule_switch_on(user=second, code="id-card-expiring")
    assert done.enabled
    rule = PushRule.objects.get(code="id-card-expiring")
    assert rule.enabled and rule.switched_on_by == second and rule.switch_on_requested_by == first
    actions = list(
        AuditEvent.objects.filter(action__startswith="outreach.rule.switch").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["outreach.rule.switch_on", "outreach.rule.switch_on_request"]


def test_a_rule_within_the_threshold_is_switched_on_by_one_operator(rules: None) -> None:
    population()
    with time_machine.travel(MORNING, tick=False):
        assert push_rule_switch_on(user=operator_make(), code="id-card-expiring").enabled


def test_an_entitlement_rule_waits_for_its_department_to_confirm_the_list(
    rules: None, commit: Any
) -> None:
    mzj = DepartmentFactory(code="gz-mzj", name="广州市民政局")
    PushRule.objects.create(
        code="longevity-allowance",
        name="高龄津贴免申即享",
        trigger="schedule",
        condition="age is not None and age >= 80",
        variables=["age"],
        template="您已年满{age}周岁，可享受高龄津贴，无需申请，将按月发放。",
        reason="因为您已年满 80 周岁",
        object_key="longevity",
        channels=["inapp"],
        department_code="gz-mzj",
        enabled=True,
    )
    elder = person_make(birth_date=datetime.date(1940, 3, 1))
    struck = person_make(birth_date=datetime.date(1941, 3, 1))
    person_make(birth_date=datetime.date(1990, 3, 1))
    with time_machine.travel(MORNING, tick=False), commit():
        assert push_sweep_run() == 2
    assert not Message.objects.exists()  # nothing goes before the department confirms
    assert set(PushLog.objects.values_list("status", flat=True)) == {"awaiting_department"}
    outsider: Any = StaffFactory()
    with pytest.raises(PermissionDenied):
        push_department_confirm(user=outsider.user, rule_code="longevity-allowance")
    clerk: Any = StaffFactory(department=mzj)
    withdraw = [PushLog.objects.get(person_id=struck.pk).pk]
    with time_machine.travel(MORNING, tick=False), commit():
        assert (
            push_department_confirm(
                user=clerk.user, rule_code="longevity-allowance", withdraw=withdraw
            )
            == 1
        )
    (message,) = Message.objects.all()
    assert message.recipient_id == elder.user_id
    assert message.body == "您已年满86周岁，可享受高龄津贴，无需申请，将按月发放。"
    assert PushLog.objects.get(person_id=struck.pk).status == "withdrawn"


def test_the_demo_seed_makes_the_resident_receive_the_id_card_reminder(
    rules: None, commit: Any
) -> None:
    person = person_make()
    with time_machine.travel(MORNING, tick=False), commit():
        made = outreach_demo_seed(person_id=person.pk)
    assert len(made) == 1
    message = Message.objects.get(recipient=person.user)
    assert message.reason == "因为您的身份证将于 2027-02-05 到期"
    person.refresh_from_db()
    assert person.id_card_valid_until == datetime.date(2027, 2, 5)
