"""An operator searches the message log on a phone: masked numbers, filters, no axe
violation, no sideways scrolling."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from onewindow.notify import services
from onewindow.testing.factories import make_staff
from tests.e2e.conftest import check_page
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_operator_finds_a_residents_messages(page: Page, live_server: Any) -> None:
    services.sms_send(
        phone="13800138000", template="login_code", params={"code": "123456", "minutes": "5"}
    )
    services.sms_send(
        phone="13900139000", template="login_code", params={"code": "654321", "minutes": "5"}
    )
    staff = make_staff()
    staff.user.kind = "operator"
    staff.user.save()
    staff.user.user_permissions.add(Permission.objects.get(codename="operate_platform"))
    log_in(page, staff.user, base_url=live_server.url, otp_verified=True)

    page.goto("/notify/log/")
    table = page.get_by_test_id("message-log")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("138****8000")
    expect(table).not_to_contain_text("13800138000")
    check_page(page)

    page.get_by_label("手机号码或邮箱").fill("13900139000")
    page.get_by_label("渠道").select_option(label="短信")
    page.get_by_role("button", name="查找").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("139****9000")
    expect(table).to_contain_text("login_code")
    check_page(page)
