"""最低生活保障 in Chromium at phone width: a resident applies, 民政's window accepts, then 公安,
不动产登记 and 民政 each open their check, record their finding on the task form (是/否, a
number) and approve — an approval without a required finding is refused at that field — and
民政's approver sees every department's finding on the confirmation task. axe-clean."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.cases.models import Case, CaseTask
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in
from tests.e2e.test_apply_flows import (
    approve_in_workbench,
    fill_form,
    publish,
    staff_for,
    upload_materials,
)
from tests.e2e.test_resident_login import sent_code

pytestmark = pytest.mark.django_db(transaction=True)

CODE = "subsistence-allowance"
# The three checks and the finding each department records: (question, answer) pairs.
CHECKS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "income_check": (
        "广州市民政局",
        [("家庭收入和财产符合低保条件", "是"), ("核定家庭人均月收入（元）", "980")],
    ),
    "housing_check": (
        "广州市规划和自然资源局",
        [("住房状况符合低保条件", "是"), ("家庭成员名下住房套数", "1")],
    ),
    "hukou_check": ("广州市公安局", [("申请家庭为本市户籍", "是")]),
}


def resident_applies(page: Page, live_server: LiveServer, tmp_path: Path) -> Case:
    version = publish(CODE)
    person: Any = PersonFactory()
    page.goto("/account/login/")
    page.get_by_label("手机号码").fill(person.phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_contain_text("验证码已发送")
    page.get_by_label("短信验证码").fill(sent_code(person.phone))
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/$"))
    page.goto(f"/cases/apply/{CODE}/")
    page.get_by_role("button", name="开始申请").click()
    expect(page.get_by_test_id("apply-form")).to_be_visible()
    fill_form(page, version.form_schema)
    page.locator("#f-bank_account").fill("6222020200112233445")
    page.get_by_role("button", name="保存并继续").click()
    expect(page.get_by_role("heading", name="申请材料")).to_be_visible()
    upload_materials(page, version, tmp_path)
    page.get_by_role("button", name="下一步：核对信息").click()
    expect(page.get_by_role("heading", name="核对您的申请")).to_be_visible()
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_test_id("case-facts")).to_be_visible()
    return Case.objects.get(created_by=person.user, service_version=version)


def open_task(page: Page, live_server: LiveServer, task: CaseTask) -> None:
    page.context.clear_cookies()
    log_in(page, staff_for(task), base_url=live_server.url, otp_verified=True)
    page.goto(f"/workbench/tasks/{task.pk}/")
    expect(page.get_by_role("heading", name=task.name, level=1)).to_be_visible()


def record(page: Page, answers: list[tuple[str, str]]) -> None:
    form = page.get_by_test_id("task-form")
    for question, answer in answers:
        if answer in ("是", "否"):
            form.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
        else:
            form.get_by_label(question).fill(answer)


def approve(page: Page) -> None:
    page.get_by_role("button", name="同意", exact=True).click()
    expect(page.get_by_test_id("task-status")).to_contain_text("已完成")


def test_departments_record_findings_and_the_approver_sees_them(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    case = resident_applies(page, live_server, tmp_path)
    assert case.status == Case.Status.IN_PROGRESS
    approve_in_workbench(page, live_server, case.tasks.get(element_id="accept"))
    # Each branch looked the applicant's records up first; the three checks are open.
    checks = {t.element_id: t for t in case.tasks.filter(status="open")}
    assert set(checks) == set(CHECKS)

    # 民政's income check: approving without the required finding is refused at that field.
    income = checks["income_check"]
    open_task(page, live_server, income)
    record(page, [("核定家庭人均月收入（元）", "980")])
    page.get_by_role("button", name="同意", exact=True).click()
    error = page.locator("#finding-income_ok-error")
    expect(error).to_have_text("请填写“家庭收入和财产符合低保条件”。")
    group = page.get_by_role("group", name="家庭收入和财产符合低保条件")
    expect(group).to_have_attribute("aria-describedby", "finding-income_ok-error")
    expect(page.get_by_label("核定家庭人均月收入（元）")).to_have_value("980")  # kept
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
    income.refresh_from_db()
    assert income.status == CaseTask.Status.OPEN

    for element, (_department, answers) in CHECKS.items():  # the income check is open
        if element != "income_check":
            open_task(page, live_server, checks[element])
        record(page, answers)
        approve(page)

    case.refresh_from_db()
    assert dict(case.tasks.filter(element_id__in=CHECKS).values_list("element_id", "findings")) == {
        "hukou_check": {"hukou_ok": True},
        "housing_check": {"housing_ok": True, "flats": 1},
        "income_check": {"income_ok": True, "per_capita_income": 980},
    }
    confirm = case.tasks.get(element_id="confirm", status="open")
    open_task(page, live_server, confirm)
    expect(page.get_by_role("heading", name="各部门核查结论")).to_be_visible()
    findings = page.get_by_test_id("findings")
    for element, (department, answers) in CHECKS.items():
        item = findings.locator(f'[data-finding="{element}"]')
        expect(item).to_contain_text(department)
        for question, answer in answers:
            expect(item.locator("dt", has_text=question)).to_be_visible()
            expect(item.locator("dt", has_text=question).locator("+ dd")).to_have_text(answer)
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
    approve(page)
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
