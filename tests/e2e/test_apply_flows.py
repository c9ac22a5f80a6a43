"""A resident applies in the browser for the graduate employment chain: form from the
service's JSON Schema (errors next to the fields), materials, check your answers, submit;
the departments' staff approve from their workbench; the resident sees the outcome and
rates it. axe-core on every page."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.audit.services import Actor
from onewindow.cases.models import Case, CaseTask
from onewindow.catalog.models import ServiceVersion
from onewindow.catalog.services import service_packages_import
from onewindow.core.identifiers import citizen_id_make, uscc_make
from onewindow.demo.city import city_structure_seed
from onewindow.identity.models import StaffRole
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)

CATALOG = Path(__file__).resolve().parents[2] / "catalog"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def publish(code: str) -> ServiceVersion:
    folder = CATALOG / code
    if not (folder / "service.yaml").exists():
        pytest.skip(f"demo package {code} not present")
    city_structure_seed(seed=1)
    return service_packages_import(actor=Actor.system("test"), paths=[folder])[0]


def _value(prop: dict[str, Any]) -> str:
    fmt = prop.get("format")
    if prop.get("type") == "integer":
        return str(max(int(prop.get("minimum", 1)), 1))
    if prop.get("type") == "number":
        return str(max(prop.get("minimum", 100), 100))
    if fmt == "citizen-id":
        return citizen_id_make("440106", datetime.date(1998, 5, 4), 123)
    if fmt == "uscc":
        return uscc_make("91440101MA0000001")
    if fmt == "phone":
        return "13800138000"
    if fmt == "date":
        return "2026-06-30"
    if fmt == "email":
        return "a@example.cn"
    return "测试内容"[: prop.get("maxLength", 50)]


def fill_form(page: Page, schema: dict[str, Any]) -> None:
    """Fill every field of the rendered form with a valid value, by the schema."""
    for name, prop in schema["properties"].items():
        field_id = "f-" + name
        if page.locator(f"#{field_id}[readonly]").count():
            continue  # the applicant's own answers come from the real-name record
        if "enum" in prop:
            if page.locator(f"#{field_id}-1").count():
                page.locator(f"#{field_id}-1").check()
            else:
                page.locator(f"#{field_id}").select_option(str(prop["enum"][0]))
        elif prop.get("type") == "boolean":
            page.locator(f"#{field_id}").check()
        elif prop.get("type") in {"string", "integer", "number"}:
            page.locator(f"#{field_id}").fill(_value(prop))


def upload_materials(page: Page, version: ServiceVersion, tmp_path: Path) -> None:
    for item in version.definition.get("materials") or []:
        if item.get("source", "upload") == "exchange" or not item.get("required", True):
            continue
        accept = item.get("accept") or ["application/pdf"]
        name, content = ("doc.pdf", PDF) if "application/pdf" in accept else ("photo.png", PNG)
        path = tmp_path / f"{item['code']}-{name}"
        path.write_bytes(content)
        row = page.locator(f'[data-material="{item["code"]}"]')
        row.locator("input[type=file]").set_input_files(str(path))
        row.get_by_role("button", name="上传").click()
        expect(
            page.locator(f'[data-material="{item["code"]}"] [data-testid=uploaded]')
        ).to_be_visible()


def apply_in_browser(
    page: Page, live_server: LiveServer, version: ServiceVersion, tmp_path: Path, person: Any
) -> Case:
    log_in(page, person.user, base_url=live_server.url)
    page.goto(f"/cases/apply/{version.service.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(version.service.name)
    assert_accessible(page)
    page.get_by_role("button", name="开始申请").click()
    expect(page.get_by_test_id("apply-form")).to_be_visible()
    assert_accessible(page)
    # An empty form: the errors appear next to the fields, in Chinese.
    page.get_by_role("button", name="保存并继续").click()
    expect(page.locator(".field-error").first).to_be_visible()
    assert page.locator("[aria-invalid=true]").count() >= 1
    assert_accessible(page)
    fill_form(page, version.form_schema)
    page.get_by_role("button", name="保存并继续").click()
    expect(page.get_by_role("heading", name="申请材料")).to_be_visible()
    assert_accessible(page)
    upload_materials(page, version, tmp_path)
    assert_accessible(page)
    page.get_by_role("button", name="下一步：核对信息").click()
    expect(page.get_by_role("heading", name="核对您的申请")).to_be_visible()
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_test_id("case-facts")).to_be_visible()
    assert_accessible(page)
    return Case.objects.get(created_by=person.user, service_version=version)


def staff_for(task: CaseTask) -> Any:
    chain = [task.department_id] + [d.pk for d in task.department.ancestors()]
    holder = (
        StaffRole.objects.filter(role__code=task.role_code, department_id__in=chain)
        .select_related("staff__user")
        .order_by("staff__user__username")
        .first()
    )
    assert holder is not None, (task.department.code, task.role_code)
    return holder.staff.user


def approve_in_workbench(page: Page, live_server: LiveServer, task: CaseTask) -> None:
    page.context.clear_cookies()
    log_in(page, staff_for(task), base_url=live_server.url, otp_verified=True)
    page.goto("/workbench/")
    row = page.locator(f'tr[data-task="{task.pk}"]')
    expect(row).to_be_visible()
    assert_accessible(page)
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name=task.name, level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="同意", exact=True).click()
    expect(page.get_by_test_id("task-status")).to_contain_text("已完成")


def approve_until_concluded(page: Page, live_server: LiveServer, case: Case) -> list[str]:
    departments: list[str] = []
    for _round in range(12):
        case.refresh_from_db()
        if case.is_concluded:
            return departments
        for task in case.tasks.filter(status__in=["open", "claimed"]).select_related("department"):
            departments.append(task.department.code)
            approve_in_workbench(page, live_server, task)
    raise AssertionError(f"case {case.number} did not conclude")


# the national dimensions of an online service's rating (好差评), as the rating page asks them
RATED_ONLINE = ("整体满意度", "办事效率", "办事指南准确度", "办事便捷度", "平台操作性")


def see_outcome_and_rate(page: Page, live_server: LiveServer, case: Case, person: Any) -> None:
    page.context.clear_cookies()
    log_in(page, person.user, base_url=live_server.url)
    page.goto("/")
    page.get_by_role("link", name=case.service_version.service.name).first.click()
    expect(page.get_by_test_id("case-status")).to_have_text("已办结（准予）")
    expect(page.get_by_test_id("outcome")).to_contain_text("准予许可")
    assert_accessible(page)
    page.get_by_test_id("outcome").get_by_role("link", name="评价", exact=True).click()
    form = page.get_by_test_id("rating-form")
    expect(form.locator("input[type=radio]:checked")).to_have_count(0)  # never preselected
    for legend in RATED_ONLINE:
        form.get_by_role("group", name=re.compile(f"^{legend}")).get_by_label(
            "非常满意", exact=True
        ).check()
    form.get_by_role("button", name="提交评价").click()
    expect(page.get_by_role("status")).to_contain_text("感谢您的评价。")
    page.get_by_role("link", name="返回办件").click()
    expect(page.get_by_test_id("case-rating")).to_contain_text("您的评价：非常满意")
    assert_accessible(page)


def test_graduate_employment_chain(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    version = publish("graduate-employment-express")
    person = PersonFactory()
    case = apply_in_browser(page, live_server, version, tmp_path, person)
    assert case.status == Case.Status.IN_PROGRESS and case.number
    expect(page.get_by_test_id("case-status")).to_have_text("办理中")
    expect(page.get_by_test_id("timeline")).to_contain_text(case.number)
    departments = approve_until_concluded(page, live_server, case)
    assert {"gz-rsj", "gz-gaj"} <= set(departments)
    see_outcome_and_rate(page, live_server, case, person)
