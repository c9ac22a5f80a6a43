"""Single sign-on in a real browser: a resident logged in to OneWindow opens a department
system (the demo relying party), agrees on the Chinese consent screen and comes back logged
in there; then logs out of both. axe on every page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from onewindow.sso.seed import demo_client_seed
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in


@pytest.mark.django_db(transaction=True)
def test_department_system_logs_in_through_onewindow(page: Page, live_server: Any) -> None:
    demo_client_seed(base_urls=[live_server.url])
    person: Any = PersonFactory(name="张三")
    log_in(page, person.user, base_url=live_server.url)

    page.goto("/demo-rp/")
    assert_accessible(page)
    page.get_by_role("button", name="使用一网通办账号登录").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("请求使用您的一网通办账号登录")
    expect(page.get_by_text("姓名（部分隐藏）")).to_be_visible()
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
    page.get_by_role("button", name="同意并登录").click()

    expect(page.locator("#rp-status")).to_have_text("已通过一网通办登录：张*")
    assert page.url.startswith(live_server.url + "/demo-rp/")
    assert_accessible(page)

    page.get_by_role("button", name="退出本系统").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("请求退出一网通办登录")
    assert_accessible(page)
    page.get_by_role("main").get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("button", name="使用一网通办账号登录")).to_be_visible()
