"""The layout every page shares: landing at phone width, language switch, elder mode,
skip link, error pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import body_font_px, has_no_horizontal_scroll, root_font_px

pytestmark = pytest.mark.django_db(transaction=True)


def test_landing_fits_a_phone_and_has_landmarks(page: Page) -> None:
    page.goto("/")
    expect(page.locator("h1")).to_contain_text("一网通办")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    for landmark in ("header", "nav", "main", "footer"):
        assert page.locator(landmark).count() >= 1, landmark
    expect(page.get_by_role("heading", name="热门服务")).to_be_visible()
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)

    page.get_by_role("link", name="居民登录").click()
    expect(page).to_have_url("/account/login/")
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_text("菜单").click()  # at phone width the links fold behind 菜单
    login_link = nav.get_by_role("link", name="登录", exact=True)
    expect(login_link).to_have_attribute("aria-current", "page")
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)


def test_skip_link_takes_keyboard_users_to_the_content(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    assert_accessible(page)


def test_switch_to_english_and_back(page: Page) -> None:
    page.goto("/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Popular services")).to_be_visible()
    expect(page.locator(".brand-name")).to_have_text("OneWindow")
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)

    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", name="热门服务")).to_be_visible()
    assert_accessible(page)


def test_elder_mode_enlarges_text_and_persists_across_pages(page: Page) -> None:
    page.goto("/")
    normal_root, normal_body = root_font_px(page), body_font_px(page)
    toggle = page.get_by_role("button", name="长辈模式")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()

    expect(page.locator("html")).to_have_class("elder")
    expect(page.get_by_role("button", name="长辈模式")).to_have_attribute("aria-pressed", "true")
    assert body_font_px(page) >= 20
    assert root_font_px(page) > normal_root and body_font_px(page) > normal_body
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)

    # another page keeps it
    page.goto("/no-such-page/")
    expect(page.locator("html")).to_have_class("elder")
    assert body_font_px(page) >= 20
    assert_accessible(page)

    # and it turns off again
    page.get_by_role("button", name="长辈模式").click()
    expect(page.locator("html")).not_to_have_class("elder")
    assert body_font_px(page) == normal_body


def test_not_found_page_is_chinese_and_leads_home(page: Page) -> None:
    response = page.goto("/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    page.get_by_role("link", name="返回首页").click()
    expect(page).to_have_url("/")
    assert_accessible(page)
