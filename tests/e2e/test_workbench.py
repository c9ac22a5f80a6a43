"""The staff workbench shell: who may reach it and what it shows."""

from __future__ import annotations

from typing import cast

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.identity.models import Person, Staff
from onewindow.testing.factories import (
    DepartmentFactory,
    PersonFactory,
    RoleFactory,
    StaffFactory,
)
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _staff() -> Staff:
    department = DepartmentFactory(code="gz-hr", name="广州市人力资源和社会保障局")
    role = RoleFactory(code="approver", name="审批人员")
    staff = cast(Staff, StaffFactory(department=department, roles=[role], title="科员"))
    staff.user.display_name = "陈工"
    staff.user.save()
    return staff


def test_verified_staff_reach_the_workbench(page: Page, live_server: LiveServer) -> None:
    staff = _staff()
    log_in(page, staff.user, base_url=live_server.url, otp_verified=True)
    page.goto("/")  # staff are sent on from the home page
    expect(page).to_have_url("/workbench/")
    expect(page.get_by_role("heading", name="工作台", level=1)).to_be_visible()
    expect(page.get_by_test_id("staff-name")).to_contain_text("陈工")
    expect(page.get_by_test_id("staff-department")).to_have_text("广州市人力资源和社会保障局")
    expect(page.get_by_test_id("staff-roles")).to_contain_text("审批人员")
    inbox = page.get_by_test_id("inbox")
    expect(inbox.get_by_text("暂无待办任务")).to_be_visible()
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_text("菜单").click()  # at phone width the links fold behind 菜单
    expect(nav.get_by_role("link", name="工作台")).to_be_visible()
    expect(nav.get_by_role("link", name="我的账单")).to_have_count(0)
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)


def test_desktop_workbench_shows_inbox_columns(page: Page, live_server: LiveServer) -> None:
    staff = _staff()
    log_in(page, staff.user, base_url=live_server.url, otp_verified=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/workbench/")
    for column in ("办件编号", "事项", "申请人", "环节", "剩余工作日"):
        expect(page.get_by_role("columnheader", name=column)).to_be_visible()
    assert_accessible(page)


def test_resident_gets_the_forbidden_page(page: Page, live_server: LiveServer) -> None:
    person = cast(Person, PersonFactory())
    log_in(page, person.user, base_url=live_server.url)
    response = page.goto("/workbench/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    expect(page.get_by_role("link", name="返回首页")).to_be_visible()
    expect(page.get_by_text("暂无待办任务")).to_have_count(0)
    assert_accessible(page)
