"""The graduate employment express as a chain that feeds forward, in Chromium at phone width
for the resident, axe-checked on every page:

a graduate applies for the one-stop (报到、接收、落户一件事) → its steps are approved by
those who hold them → the police clerk's task page shows the settlement permit the bureau
just issued, under a heading that says the departments work one after the other → the
one-stop ends 已落户 → the household record (居民户口簿) is in the graduate's wallet → the
case page offers the next step, 居民身份证换领, and its form opens with the new address and
登记项目变更 carried over → the separate 高校毕业生落户 service refuses on its start page,
naming the household record, and so does a second one-stop, naming the first.

With ``ONEWINDOW_SCREENSHOTS=<folder>`` the steps are saved as ``graduate-*.png`` (the
walkthrough in docs/demo-walkthrough.md uses them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.catalog.models import ServiceVersion
from onewindow.catalog.services import service_packages_import
from onewindow.licences.models import Licence
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import check_page as check
from tests.e2e.helpers import Screenshots, log_in
from tests.e2e.test_apply_flows import CATALOG, fill_form, publish, staff_for, upload_materials

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = "广州市天河区华穗路1号"


shot = Screenshots("graduate")


def apply_for_the_one_stop(
    page: Page, live_server: LiveServer, person: Any, version: ServiceVersion, tmp_path: Path
) -> Case:
    log_in(page, person.user, base_url=live_server.url)
    page.goto(f"/cases/apply/{version.service.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(version.service.name)
    check(page)
    page.get_by_role("button", name="开始申请").click()
    expect(page.get_by_test_id("apply-form")).to_be_visible()
    fill_form(page, version.form_schema)
    page.locator("#f-target_address").fill(ADDRESS)
    check(page)
    page.get_by_role("button", name="保存并继续").click()
    expect(page.get_by_role("heading", name="申请材料")).to_be_visible()
    upload_materials(page, version, tmp_path)
    check(page)
    page.get_by_role("button", name="下一步：核对信息").click()
    expect(page.get_by_role("heading", name="核对您的申请")).to_be_visible()
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_test_id("case-status")).to_have_text("办理中")
    check(page)
    return Case.objects.get(created_by=person.user, service_version=version)


def work_the_tasks(page: Page, live_server: LiveServer, case: Case) -> None:
    """Every open task approved by its department's staff in the workbench; the police
    clerk first checks the permit the case has issued."""
    for _round in range(12):
        case.refresh_from_db()
        if case.is_concluded:
            return
        for task in case.tasks.filter(status__in=["open", "claimed"]).select_related("department"):
            page.context.clear_cookies()
            log_in(page, staff_for(task), base_url=live_server.url, otp_verified=True)
            page.goto(f"/workbench/tasks/{task.pk}/")
            expect(page.get_by_role("heading", name=task.name, level=1)).to_be_visible()
            if task.element_id == "Task_Hukou":
                permit = Licence.objects.get(case=case, licence_type__code="settlement-approval")
                issued = page.get_by_test_id("issued-licences")
                expect(issued).to_contain_text("准予迁入证明")
                expect(issued.get_by_test_id("licence-number")).to_have_text(permit.number)
                expect(issued.get_by_test_id("licence-status")).to_have_text("有效")
                expect(page.locator("#branches-title")).to_have_text("各部门依次办理")
                check(page)
                shot(page, "01-police-task")
            page.get_by_role("button", name="同意", exact=True).click()
            expect(page.get_by_test_id("task-status")).to_contain_text("已完成")
    raise AssertionError(f"case {case.number} did not conclude")


def test_the_graduate_chain_feeds_forward(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    version = publish("graduate-employment-express")
    service_packages_import(
        actor=Actor.system("e2e"),
        paths=[CATALOG / "hukou-graduate-settlement", CATALOG / "id-card-renewal"],
    )
    person = PersonFactory()
    case = apply_for_the_one_stop(page, live_server, person, version, tmp_path)
    work_the_tasks(page, live_server, case)
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    record = Licence.objects.get(case=case, licence_type__code="household-register")

    page.context.clear_cookies()
    log_in(page, person.user, base_url=live_server.url)
    # The household record is in the wallet.
    page.goto("/licences/")
    card = page.locator(f"#licence-{record.number}")
    expect(card.get_by_role("heading", name="居民户口簿")).to_be_visible()
    expect(card).to_contain_text("有效")
    expect(card).to_contain_text("户别")
    expect(card).to_contain_text("单位集体户")
    check(page)
    shot(page, "02-wallet")

    # The case page offers the next step, the answers carried over.
    page.goto(f"/cases/{case.number}/")
    expect(page.get_by_test_id("case-status")).to_have_text("已办结（准予）")
    offer = page.get_by_test_id("next-steps")
    expect(offer).to_contain_text("户口迁入后，居民身份证的住址随之变更，请换领新证。")
    check(page)
    shot(page, "03-next-step")
    offer.get_by_role("button", name="办理：居民身份证换领").click()
    expect(page.get_by_test_id("apply-form")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("居民身份证换领")
    expect(page.locator("#f-address")).to_have_value(ADDRESS)
    expect(page.get_by_role("radio", name="登记项目变更")).to_be_checked()
    check(page)
    shot(page, "04-carried-over")

    # A second household registration is refused, naming the existing record.
    page.goto("/cases/apply/hukou-graduate-settlement/")
    refused = page.get_by_test_id("repeat-refused")
    expect(refused).to_contain_text(f"您已持有居民户口簿（证照编号 {record.number}）")
    expect(refused.get_by_role("link", name="查看证照")).to_have_attribute(
        "href", f"/licences/#licence-{record.number}"
    )
    expect(page.get_by_role("button", name="开始申请")).to_be_disabled()
    check(page)
    shot(page, "05-second-registration-refused")

    # So is a second one-stop, naming the first.
    page.goto(f"/cases/apply/{version.service.code}/")
    again = page.get_by_test_id("repeat-refused")
    expect(again).to_contain_text(f"办件编号 {case.number}，状态：已办结（准予）")
    expect(page.get_by_role("button", name="开始申请")).to_be_disabled()
    check(page)
