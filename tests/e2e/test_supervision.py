"""A department head (部门负责人) opens 督办总览 from the workbench on a phone and finds the task
a non-interrupting timer escalated, with its holder and the time it was escalated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.cases import services
from onewindow.demo.city import city_structure_seed
from onewindow.testing.applying import apply
from onewindow.testing.cases import definition, publish
from onewindow.testing.escalation import CODE, FIRED, NON_INTERRUPTING_BPMN, START, supervisor
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_department_head_sees_the_escalated_task(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    city_structure_seed(seed=1)
    publish(tmp_path, service=definition(code=CODE), bpmn=NON_INTERRUPTING_BPMN)
    resident: Any = PersonFactory()
    with time_machine.travel(START, tick=False):
        case = apply(resident.user, CODE)
    assert services.cases_sla_sweep(now=FIRED)["advanced"] == 1
    head = supervisor("gz-rsj", "rsj_head_e2e")

    log_in(page, head, base_url=live_server.url, otp_verified=True)
    page.goto("/workbench/")
    page.get_by_role("link", name="督办总览").click()
    expect(page).to_have_url("/workbench/supervision/")
    expect(page.get_by_role("heading", name="督办总览", level=1)).to_be_visible()
    row = page.get_by_test_id("supervised-tasks").locator("tbody tr", has_text=case.number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("材料核查")
    expect(row).to_contain_text("已督办")
    expect(row).to_contain_text(timezone.localtime(FIRED).strftime("%Y-%m-%d %H:%M"))
    expect(row).to_contain_text("待认领（审批人员）")
    department = page.get_by_test_id("by-department").locator('tr[data-code="gz-rsj"]')
    expect(department.locator('td[data-label="已督办"]')).to_have_text("1")
    service = page.get_by_test_id("by-service").locator(f'tr[data-code="{CODE}"]')
    expect(service.locator('td[data-label="在办"]')).to_have_text("1")
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
