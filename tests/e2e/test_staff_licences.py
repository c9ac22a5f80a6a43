"""A staff member of the issuing department revokes a licence at phone width: finds it by the
holder's citizen ID (shown masked), gives a reason, confirms; a third party's verify page
then says 已撤销. Every page is axe-clean."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.audit.services import Actor
from onewindow.identity.models import Role, StaffRole
from onewindow.licences.models import Licence
from onewindow.licences.services import licence_issue
from onewindow.testing.factories import DepartmentFactory, PersonFactory, StaffFactory
from tests.e2e.conftest import PHONE, assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_revokes_a_licence_and_verifiers_see_it_revoked(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    gaj = DepartmentFactory(code="gz-gaj", name="广州市公安局")
    role = Role.objects.create(code="approver", name="审批人员")
    role.permissions.add(Permission.objects.get(codename="revoke_licence"))
    officer = StaffFactory(department=gaj)
    StaffRole.objects.create(staff=officer, role=role, department=gaj)
    holder = PersonFactory(name="黄淑仪")
    licence = licence_issue(
        actor=Actor.system("test"),
        licence_type_code="hk-macau-endorsement",
        holder_person=holder,
        department=gaj,
    )

    log_in(page, officer.user, base_url=live_server.url, otp_verified=True)
    page.goto("/licences/staff/")
    expect(page.get_by_role("heading", name="证照管理", level=1)).to_be_visible()
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_text("菜单").click()  # at phone width the links fold behind 菜单
    expect(nav.get_by_role("link", name="证照管理")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("recent")).to_contain_text(licence.number)
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)

    field = page.get_by_label("证照编号、持证人身份证号码或统一社会信用代码")
    field.fill("abc")
    page.get_by_role("button", name="查找").click()
    expect(page.get_by_text("请输入完整的证照编号")).to_be_visible()
    assert_accessible(page)
    field.fill(holder.id_number)
    page.get_by_role("button", name="查找").click()
    results = page.get_by_test_id("found")
    expect(results).to_contain_text(licence.number)
    expect(results).to_contain_text("黄*仪")
    assert holder.id_number not in page.content() and holder.id_number not in page.url
    assert_accessible(page)

    results.get_by_role("link", name=licence.number).click()
    expect(page.get_by_role("heading", name="往来港澳通行证签注", level=1)).to_be_visible()
    expect(page.get_by_test_id("licence-status")).to_contain_text("有效")
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
    page.get_by_role("button", name="撤销", exact=True).click()
    expect(page.get_by_text("请填写撤销原因。")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("撤销原因").fill("申请人以欺骗手段取得")
    page.get_by_role("button", name="撤销", exact=True).click()
    expect(page.get_by_test_id("confirm-revoke")).to_contain_text(licence.number)
    assert Licence.objects.get(pk=licence.pk).status == "valid"
    assert_accessible(page)
    page.get_by_role("button", name="确认撤销").click()

    expect(page.get_by_text("证照已撤销")).to_be_visible()
    expect(page.get_by_test_id("licence-status")).to_contain_text("已撤销")
    expect(page.get_by_test_id("revoked-reason")).to_have_text("申请人以欺骗手段取得")
    assert_accessible(page)

    # A third party, not logged in, checks the licence.
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server.url)
    verifier = context.new_page()
    verifier.goto(f"/licences/verify/?id={licence.credential_id}")
    result = verifier.get_by_test_id("verify-result")
    expect(result).to_have_attribute("data-result", "revoked")
    expect(result).to_contain_text("已撤销")
    assert_accessible(verifier)
    context.close()
