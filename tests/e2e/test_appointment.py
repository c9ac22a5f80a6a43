"""Marriage registration in the browser at phone width: after the materials the resident
picks a slot at the registry (radio buttons grouped per day), sees it on check-your-answers
and on the case page. axe-core on the slot page and after."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.appointments.models import AppointmentResource, Booking
from onewindow.appointments.seed import resources_seed
from onewindow.appointments.selectors import open_slots_by_day
from onewindow.cases.models import Case
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in
from tests.e2e.test_apply_flows import fill_form, publish, upload_materials

pytestmark = pytest.mark.django_db(transaction=True)


def test_pick_a_marriage_registry_slot(page: Page, live_server: LiveServer, tmp_path: Path):
    version = publish("marriage-registration")
    resources_seed(days=5)
    registry = AppointmentResource.objects.get(code="marriage-registry")
    days = open_slots_by_day(resource=registry)
    if not days:
        pytest.skip("no working days with holiday data ahead: no slots to book")
    first = days[0].slots[0]
    person = PersonFactory()
    log_in(page, person.user, base_url=live_server.url)
    page.goto(f"/cases/apply/{version.service.code}/")
    page.get_by_role("button", name="开始申请").click()
    fill_form(page, version.form_schema)
    page.get_by_role("button", name="保存并继续").click()
    expect(page.get_by_role("heading", name="申请材料")).to_be_visible()
    upload_materials(page, version, tmp_path)
    page.get_by_role("button", name="下一步：核对信息").click()

    expect(page.get_by_role("heading", name="预约到场办理时段")).to_be_visible()
    expect(page.get_by_role("heading", name=registry.name)).to_be_visible()
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
    # No choice: the error is announced, nothing booked.
    page.get_by_role("button", name="确认预约，下一步").click()
    expect(page.get_by_role("alert")).to_contain_text("请选择一个预约时段")
    assert_accessible(page)
    assert not Booking.objects.exists()
    radio = page.locator(f"#slot-{first.pk}")
    page.locator(f"label[for=slot-{first.pk}]").click()
    expect(radio).to_be_checked()
    page.get_by_role("button", name="确认预约，下一步").click()

    expect(page.get_by_role("heading", name="核对您的申请")).to_be_visible()
    expect(page.get_by_test_id("appointment")).to_contain_text(registry.name)
    assert_accessible(page)
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_test_id("case-appointment")).to_contain_text(registry.name)
    assert_accessible(page)
    case = Case.objects.get(created_by=person.user)
    assert case.number and case.status != Case.Status.DRAFT
    booking = Booking.objects.get(case=case, status="booked")
    assert booking.slot_id == first.pk
