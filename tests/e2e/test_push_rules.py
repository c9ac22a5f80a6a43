"""Push rules in the browser: an operator previews the ID-card rule and switches it on (a
second operator confirms a rule that reaches more than the threshold); the resident reads
why the reminder came on 我收到的推送 and turns it off; the reminder pushed during the day
is in the message centre (温馨提醒, with why) and in the demo's SMS outbox at once, and its
rule is turned off from the message centre. Phone width, axe on every page."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.notify.models import Message
from onewindow.outreach.models import PushOptOut, PushRule
from onewindow.outreach.services import push_sweep_run
from onewindow.testing.outreach import operator_make, resident_with_id_card, rules_load
from tests.e2e.conftest import check_page
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_operator_previews_a_rule_and_switches_it_on(
    page: Page, live_server: LiveServer, settings: Any
) -> None:
    settings.OUTREACH_CONFIRM_ABOVE = 1
    rules_load()
    today = timezone.localdate()
    resident_with_id_card(today + datetime.timedelta(days=30), name="陈嘉欣", phone="13800000001")
    resident_with_id_card(today + datetime.timedelta(days=60), region_code="440111")
    first, second = operator_make(), operator_make()
    log_in(page, first, base_url=live_server.url, otp_verified=True)
    page.goto("/outreach/rules/")
    expect(page.get_by_role("heading", name="主动推送规则", level=1)).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="身份证即将到期提醒").click()
    expect(page.get_by_test_id("preview-reach")).to_have_text(
        "按当前数据，将推送给 2 人（共核对 2 人）。"
    )
    expect(page.get_by_test_id("preview-sample")).to_contain_text("陈*欣 · 138****0001 · 天河区")
    expect(page.get_by_test_id("preview-districts")).to_contain_text("白云区")
    check_page(page)
    page.get_by_role("button", name="启用规则").click()
    expect(page.get_by_test_id("rule-status")).to_contain_text(
        "已申请启用（将推送给 2 人），等待另一名操作员确认。"
    )
    expect(page.get_by_role("button", name="确认启用")).to_have_count(0)  # not the same person
    check_page(page)
    assert not PushRule.objects.get(code="id-card-expiring").enabled

    page.context.clear_cookies()
    log_in(page, second, base_url=live_server.url, otp_verified=True)
    page.goto("/outreach/rules/id-card-expiring/preview/")
    page.get_by_role("button", name="确认启用").click()
    expect(page.get_by_text("规则已启用。")).to_be_visible()
    expect(page.get_by_test_id("rule-status")).to_have_text("已启用")
    check_page(page)
    assert PushRule.objects.get(code="id-card-expiring").enabled


def test_a_broken_condition_is_shown_at_its_field(page: Page, live_server: LiveServer) -> None:
    rules_load()
    log_in(page, operator_make(), base_url=live_server.url, otp_verified=True)
    page.goto("/outreach/rules/id-card-expiring/")
    page.get_by_label("适用条件（表达式）").fill("id_card_days_left <= and")
    page.get_by_role("button", name="保存规则").click()
    expect(page.get_by_text("条件第 1 行无法解析：invalid syntax")).to_be_visible()
    check_page(page)


def test_the_resident_sees_why_and_turns_the_reminder_off(
    page: Page, live_server: LiveServer
) -> None:
    # at any hour: the in-app message is told at once (only the SMS waits for the morning)
    rules_load()
    PushRule.objects.filter(code="id-card-expiring").update(enabled=True)
    until = timezone.localdate() + datetime.timedelta(days=45)
    person = resident_with_id_card(until)
    push_sweep_run()
    assert Message.objects.filter(recipient=person.user).count() == 1
    log_in(page, person.user, base_url=live_server.url)
    page.goto("/outreach/mine/")
    expect(page.get_by_role("heading", name="我收到的推送", level=1)).to_be_visible()
    expect(page.get_by_test_id("my-pushes")).to_contain_text(
        f"为什么收到：因为您的身份证将于 {until.isoformat()} 到期"
    )
    check_page(page)
    page.get_by_role("button", name="不再接收“身份证即将到期提醒”").click()
    expect(page.get_by_text("已关闭这类推送，今后不再向您发送。")).to_be_visible()
    expect(page.get_by_test_id("my-pushes")).to_contain_text("已关闭这类推送")
    check_page(page)


def test_the_reminder_pushed_by_day_reaches_the_message_centre_and_the_phone(
    page: Page, live_server: LiveServer, settings: Any
) -> None:
    settings.DEMO = True  # the fake gateway's outbox is open to the demo's users
    rules_load()
    PushRule.objects.filter(code="id-card-expiring").update(enabled=True)
    now = timezone.localtime()
    morning = now.replace(hour=10, minute=0, second=0, microsecond=0)
    if morning > now:
        morning -= datetime.timedelta(days=1)
    until = morning.date() + datetime.timedelta(days=60)
    person = resident_with_id_card(until, phone="13800000002")
    with time_machine.travel(morning, tick=False):  # 10:00: outside anyone's quiet hours
        assert push_sweep_run() == 1
    text = f"您的居民身份证将于{until.isoformat()}到期，请在到期前到公安户政窗口或网上预约换领。"
    why = f"推送原因：因为您的身份证将于 {until.isoformat()} 到期"

    log_in(page, person.user, base_url=live_server.url)
    page.goto("/messages/")
    message = page.get_by_test_id("message")
    expect(message).to_have_count(1)
    expect(message.get_by_role("heading", level=2)).to_have_text("温馨提醒")
    expect(message.get_by_text(text, exact=True)).to_be_visible()
    expect(message.get_by_test_id("message-reason")).to_have_text(f"{why} 不再接收此类推送")
    check_page(page)

    page.goto("/notify/sms-outbox/")
    sms = page.locator(".sms-outbox > li")
    expect(sms).to_have_count(1)
    expect(sms.locator(".sms-meta")).to_contain_text("收件手机：138****0002")
    expect(sms.locator("time")).to_have_text(f"{morning:%Y-%m-%d} 10:00:00")
    expect(sms.locator(".sms-meta")).to_contain_text("已送达")
    expect(sms.locator(".sms-text")).to_have_text(f"【一网通办】{text}")
    check_page(page)

    page.goto("/messages/")
    page.get_by_role("link", name="不再接收此类推送").click()
    expect(page).to_have_url(re.compile(r"/outreach/mine/#push-\d+$"))
    expect(page.get_by_role("heading", name="我收到的推送", level=1)).to_be_visible()
    page.get_by_role("button", name="不再接收“身份证即将到期提醒”").click()
    expect(page.get_by_text("已关闭这类推送，今后不再向您发送。")).to_be_visible()
    expect(page.get_by_test_id("my-pushes")).to_contain_text("已关闭这类推送")
    check_page(page)
    assert PushOptOut.objects.filter(user_id=person.user.pk, rule__code="id-card-expiring").exists()

    page.goto("/messages/")
    expect(page.get_by_test_id("message-reason")).to_have_text(why)
    expect(page.get_by_role("link", name="不再接收此类推送")).to_have_count(0)
    check_page(page)
