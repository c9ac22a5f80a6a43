"""A visitor to the demo finds whom to log in as (/demo/) and logs in as the step's clerk
with the password and the code the page shows, at phone width."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.audit.services import Actor
from onewindow.catalog.services import service_packages_import
from onewindow.demo import data
from onewindow.demo.services import demo_city_seed
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll
from tests.e2e.test_apply_flows import CATALOG


def test_the_demo_accounts_page_gets_a_visitor_to_the_workbench(
    page: Page, live_server: LiveServer, settings: Any
) -> None:
    settings.DEMO = True
    demo_city_seed(residents=len(data.DEMO_RESIDENTS), companies=0, seed=2025)
    service_packages_import(
        actor=Actor.system("e2e"),
        paths=[CATALOG / "hk-macau-permit", CATALOG / "hk-macau-reendorsement"],
    )
    page.goto("/demo/")
    expect(page.get_by_role("heading", name="演示账号", level=1)).to_be_visible()
    expect(page.get_by_test_id("demo-residents")).to_contain_text(data.DEMO_RESIDENTS[1][1])
    steps = page.get_by_test_id("tour-hk-macau-reendorsement")
    expect(steps).to_contain_text("出入境签注审核 · 广州市公安局 · 窗口受理人员：")
    expect(steps).to_contain_text("gaj_clerk")
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)

    row = page.get_by_test_id("demo-staff").get_by_role("row").filter(has_text="gaj_clerk")
    code = row.locator("td").nth(3).locator("code").inner_text()
    page.goto("/account/staff/login/")
    page.get_by_label("用户名").fill("gaj_clerk")
    page.get_by_label("密码").fill(data.DEMO_STAFF_PASSWORD)
    page.get_by_label("动态口令").fill(code)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/workbench/")
