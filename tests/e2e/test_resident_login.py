"""A resident logs in on a phone with an SMS code read from the fake gateway's outbox."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.core.pii import phone_index
from onewindow.identity.models import AssuranceLevel, Person
from onewindow.notify.models import SmsMessage
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "13800138000"


def sent_code(phone: str) -> str:
    message = SmsMessage.objects.filter(phone_bidx=phone_index(phone)).order_by("-pk").first()
    assert message is not None, "no SMS row for this phone"
    assert message.status == SmsMessage.Status.DELIVERED
    return str(json.loads(message.params)["code"])


def test_resident_logs_in_with_phone_and_sms_code(page: Page, live_server: LiveServer) -> None:
    page.goto("/account/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("手机验证码登录")
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)

    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_contain_text("验证码已发送至 138****8000")
    assert_accessible(page)

    code_field = page.get_by_label("短信验证码")
    expect(code_field).to_be_focused()
    code_field.fill(sent_code(PHONE))
    page.get_by_role("button", name="登录", exact=True).click()

    # lands on the resident home page (portal:home, "/")
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/$"))
    me = page.request.get("/api/v1/me")
    assert me.ok
    assert me.json()["kind"] == "resident"
    assert me.json()["person"]["phone"] == "138****8000"
    person = Person.objects.get(phone_bidx=phone_index(PHONE))
    assert person.assurance == AssuranceLevel.PHONE
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)

    # the profile page shows the resident's own data masked, with the 实名认证 form
    page.goto("/account/profile/")
    expect(page.get_by_text("138****8000")).to_be_visible()
    expect(page.get_by_role("heading", name="实名认证")).to_be_visible()
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)


def test_demo_user_reads_the_code_in_the_sms_outbox(
    page: Page, live_server: LiveServer, settings: object
) -> None:
    settings.DEMO = True  # type: ignore[attr-defined]
    page.goto("/account/login/")
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_role("link", name="在演示短信发件箱中查看验证码").click()
    expect(page.get_by_role("note")).to_contain_text("演示短信发件箱 — 这些短信没有真正发出")
    expect(page.get_by_text(f"您的登录验证码是{sent_code(PHONE)}")).to_be_visible()
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)


def test_wrong_code_shows_an_error_next_to_the_field(page: Page, live_server: LiveServer) -> None:
    page.goto("/account/login/")
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    right = sent_code(PHONE)
    page.get_by_label("短信验证码").fill("000000" if right != "000000" else "111111")
    page.get_by_role("button", name="登录", exact=True).click()
    field = page.get_by_label("短信验证码")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_code_error")).to_contain_text("验证码不正确")
    assert_accessible(page)
