"""The pages: operators edit, preview and switch on rules; the resident sees why each push
came and turns a rule off."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from onewindow.notify.models import Message
from onewindow.outreach.models import PushOptOut, PushRule
from onewindow.outreach.services import outreach_demo_seed
from onewindow.testing.clients import staff_client
from onewindow.testing.outreach import operator_make, person_make, resident_with_id_card

pytestmark = pytest.mark.django_db

CITY = ZoneInfo("Asia/Shanghai")
MORNING = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=CITY)


def form_of(rule: PushRule, **changes: Any) -> dict[str, Any]:
    data = {
        "name": rule.name,
        "trigger": rule.trigger,
        "condition": rule.condition,
        "variables": ", ".join(rule.variables),
        "template": rule.template,
        "reason": rule.reason,
        "object": rule.object_key,
        "source_key": rule.source_key,
        "link": rule.link,
        "channels": rule.channels,
        "cooldown_days": rule.cooldown_days,
        "department": "",
        "audience_threshold": "",
    }
    return {**data, **changes}


def test_the_operator_sees_the_rules_and_a_broken_condition_at_its_field(rules: None) -> None:
    client = staff_client(operator_make())
    page = client.get("/outreach/rules/").content.decode()
    assert "身份证即将到期提醒" in page and "未启用" in page
    rule = PushRule.objects.get(code="id-card-expiring")
    answer = client.post(
        "/outreach/rules/id-card-expiring/",
        form_of(rule, condition="id_card_days_left <=\n   and true"),
    )
    assert answer.status_code == 200
    assert "条件第 1 行无法解析：invalid syntax" in answer.content.decode()
    answer = client.post(
        "/outreach/rules/id-card-expiring/", form_of(rule, template="您的证件将于{expiry}到期")
    )
    assert "模板使用了未声明的变量：expiry" in answer.content.decode()
    rule.refresh_from_db()
    assert rule.template.startswith("您的居民身份证将于{id_card_expiry}")


def test_the_operator_previews_and_switches_a_rule_on(rules: None) -> None:
    resident_with_id_card(datetime.date(2027, 1, 5))
    with time_machine.travel(MORNING, tick=False):
        client = staff_client(operator_make())
        page = client.get("/outreach/rules/id-card-expiring/preview/").content.decode()
        assert "按当前数据，将推送给 1 人（共核对 1 人）。" in page
        answer = client.post("/outreach/rules/id-card-expiring/preview/", {"action": "on"})
    assert answer.status_code == 302
    assert PushRule.objects.get(code="id-card-expiring").enabled


def test_a_resident_sees_why_and_turns_the_rule_off(rules: None, commit: Any) -> None:
    person = person_make()
    with time_machine.travel(MORNING, tick=False), commit():
        outreach_demo_seed(person_id=person.pk)
    client = Client()
    client.force_login(person.user)
    page = client.get("/outreach/mine/").content.decode()
    assert "身份证即将到期提醒" in page
    assert "为什么收到：因为您的身份证将于 2027-02-05 到期" in page
    assert "不再接收" in page
    answer = client.post("/outreach/mine/", {"rule": "id-card-expiring"}, follow=True)
    assert "已关闭这类推送，今后不再向您发送。" in answer.content.decode()
    assert PushOptOut.objects.filter(user_id=person.user_id, rule__code="id-card-expiring").exists()
    assert Message.objects.filter(recipient=person.user).count() == 1


def test_the_department_confirms_its_list_on_its_page(rules: None, commit: Any) -> None:
    from onewindow.outreach.models import PushLog
    from onewindow.outreach.services import push_sweep_run
    from onewindow.testing.factories import DepartmentFactory, StaffFactory

    mzj = DepartmentFactory(code="gz-mzj", name="广州市民政局")
    PushRule.objects.create(
        code="longevity-allowance",
        name="高龄津贴免申即享",
        trigger="schedule",
        condition="age is not None and age >= 80",
        variables=[],
        template="您可享受高龄津贴，无需申请。",
        reason="因为您已年满 80 周岁",
        object_key="longevity",
        channels=["inapp"],
        department_code="gz-mzj",
        enabled=True,
    )
    elder = person_make(name="张桂兰", birth_date=datetime.date(1940, 3, 1))
    with time_machine.travel(MORNING, tick=False):
        with commit():
            push_sweep_run()
        clerk: Any = StaffFactory(department=mzj)
        client = staff_client(clerk.user)
        page = client.get("/outreach/confirm/").content.decode()
        assert "高龄津贴免申即享" in page and "张*兰" in page and "张桂兰" not in page
        with commit():
            answer = client.post("/outreach/confirm/", {"rule": "longevity-allowance"}, follow=True)
    assert "已确认名单，1 人将收到推送。" in answer.content.decode()
    assert PushLog.objects.get().status == "sent"
    assert Message.objects.get(recipient=elder.user).body == "您可享受高龄津贴，无需申请。"
