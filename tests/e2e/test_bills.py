"""A resident binds a water account on a phone and sees the bill: 我的账单 → 绑定水费账户 →
a wrong number is refused at the field → the right one binds → the bill with its history
and usage → reminder settings. Every page axe-clean and without horizontal scrolling."""

from __future__ import annotations

from typing import cast

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.identity.models import Person
from onewindow.testing.bills import open_account
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import check_page as check
from tests.e2e.helpers import Screenshots, log_in

shot = Screenshots("bills")

pytestmark = pytest.mark.django_db(transaction=True)


def test_resident_binds_a_water_account_and_sees_the_bill(
    page: Page, live_server: LiveServer
) -> None:
    person = cast(Person, PersonFactory(name="张小明"))
    open_account("gz-water", "4401234567", "张小明")
    open_account("gz-water", "4409998887", "王大锤")
    log_in(page, person.user, base_url=live_server.url)

    page.goto("/bills/")
    expect(page.get_by_role("heading", name="我的账单", level=1)).to_be_visible()
    expect(page.get_by_text("尚未绑定水费账户。")).to_be_visible()
    check(page)

    page.get_by_role("link", name="绑定水费账户").click()
    expect(page.get_by_role("heading", name="绑定水费账户", level=1)).to_be_visible()
    page.get_by_label("户号").fill("4409998887")
    page.get_by_role("button", name="核验并绑定").click()
    expect(page.get_by_text("该户号登记的户主与您的实名信息不一致，不能绑定")).to_be_visible()
    expect(page.get_by_label("户号")).to_have_attribute("aria-invalid", "true")
    check(page)
    shot(page, "bind-refused")
    page.get_by_label("户号").fill("1234567")
    page.get_by_role("button", name="核验并绑定").click()
    expect(
        page.get_by_text("未在广州市自来水有限公司查到该户号，请核对账单上的户号后重新输入")
    ).to_be_visible()

    page.get_by_label("户号").fill("4401234567")
    page.get_by_label("短信").check()
    page.get_by_role("button", name="核验并绑定").click()
    expect(page.get_by_text("已绑定户号，账单已更新。")).to_be_visible()
    expect(page.get_by_role("heading", name="水费", level=1)).to_be_visible()
    bill = page.get_by_test_id("bill")
    expect(bill).to_contain_text("¥")
    expect(page.get_by_test_id("bill-history").locator("tbody tr")).to_have_count(12)
    expect(page.get_by_role("img", name="用量走势")).to_be_visible()
    expect(page.get_by_test_id("bills-updated")).to_have_text("0 分钟前更新")
    check(page)
    shot(page, "bill")

    page.get_by_role("link", name="提醒设置").click()
    expect(page.get_by_label("站内信")).to_be_checked()
    expect(page.get_by_label("短信")).to_be_checked()
    page.get_by_label("到期前几天提醒").fill("5")
    check(page)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("提醒设置已保存。")).to_be_visible()

    page.get_by_role("link", name="返回我的账单").click()
    account = page.get_by_test_id("bills-kind-water").get_by_test_id("bills-account")
    expect(account).to_contain_text("户号尾号 4567")
    expect(account).to_contain_text("账单")
    check(page)
    shot(page, "home")
