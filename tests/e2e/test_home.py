"""The resident's home page in a phone browser."""

from __future__ import annotations

import os
from pathlib import Path
from typing import cast

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.identity.models import Person
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import body_font_px, has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)

SECTIONS = {
    "我的办件": "暂无办件",
    "我的证照": "暂无证照",
    "我的账单": "暂无账单",
    "消息": "暂无未读消息",
}


def test_resident_home_shows_four_empty_sections(page: Page, live_server: LiveServer) -> None:
    person = cast(Person, PersonFactory(name="张小明"))
    log_in(page, person.user, base_url=live_server.url)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "您好，张小明"
    )  # one's own name in full
    expect(page.get_by_text("张小明")).to_have_count(1)  # the greeting only
    for heading, empty in SECTIONS.items():
        section = page.locator("section").filter(
            has=page.get_by_role("heading", name=heading, exact=True)
        )
        expect(section.get_by_text(empty)).to_be_visible()
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_text("菜单").click()  # at phone width the links fold behind 菜单
    for item in ("首页", "我的办件", "我的证照", "我的账单", "消息"):
        expect(nav.get_by_role("link", name=item, exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="工作台")).to_have_count(0)
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)

    # nav links jump to the section on the same page
    nav.get_by_role("link", name="我的账单").click()
    expect(page).to_have_url("/#my-bills")


def test_resident_home_in_elder_mode_and_english(page: Page, live_server: LiveServer) -> None:
    person = cast(Person, PersonFactory(name="王芳"))
    log_in(page, person.user, base_url=live_server.url)
    page.goto("/")
    page.get_by_role("button", name="长辈模式").click()
    expect(page.locator("html")).to_have_class("elder")
    assert body_font_px(page) >= 20
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, 王芳")
    expect(page.get_by_text("No bills yet")).to_be_visible()
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)


@pytest.mark.skipif(
    not os.environ.get("ONEWINDOW_SCREENSHOTS"),
    reason="set ONEWINDOW_SCREENSHOTS=<folder> to refresh the README screenshots",
)
def test_take_screenshots(page: Page, live_server: LiveServer) -> None:
    folder = Path(os.environ["ONEWINDOW_SCREENSHOTS"])
    folder.mkdir(parents=True, exist_ok=True)

    def shoot(name: str) -> None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    page.goto("/")
    shoot("landing-phone")
    page.get_by_role("button", name="长辈模式").click()
    shoot("landing-phone-elder")
    page.get_by_role("button", name="长辈模式").click()

    person = cast(Person, PersonFactory(name="张小明"))
    log_in(page, person.user, base_url=live_server.url)
    page.goto("/")
    shoot("home-phone")
    page.get_by_role("button", name="长辈模式").click()
    shoot("home-phone-elder")
    assert_accessible(page)
