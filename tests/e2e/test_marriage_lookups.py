"""Marriage registration in Chromium at phone width: the household registration and marriage
records of both parties come from the departments through the data exchange, so the
materials step and the case page show those look-ups instead of upload fields. axe-clean."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.appointments.models import AppointmentResource
from onewindow.appointments.seed import resources_seed
from onewindow.appointments.selectors import open_slots_by_day
from onewindow.cases.models import Case
from onewindow.cases.services.parties import party_consent_decide
from onewindow.core.identifiers import citizen_id_make
from onewindow.core.pii import id_number_index
from onewindow.testing.factories import PersonFactory
from tests.e2e.helpers import log_in
from tests.e2e.test_apply_flows import PNG, fill_form, publish
from tests.e2e.test_hk_macau_chain import check

pytestmark = pytest.mark.django_db(transaction=True)

SHARED = ("hukou-both", "marital-both", "id-card")


def test_marriage_case_shows_the_departments_records_not_uploads(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    version = publish("marriage-registration")
    resources_seed(days=10)
    registry = AppointmentResource.objects.get(code="marriage-registry")
    days = open_slots_by_day(resource=registry)
    if not days:
        pytest.skip("no working days with holiday data ahead: no slots to book")
    applicant = PersonFactory(birth_date=datetime.date(1997, 2, 3))
    partner_id = citizen_id_make("440104", datetime.date(1998, 7, 9), 456)
    partner = PersonFactory(
        id_number=partner_id, id_number_bidx=id_number_index(partner_id), name="李四"
    )

    log_in(page, applicant.user, base_url=live_server.url)
    page.goto(f"/cases/apply/{version.service.code}/")
    page.get_by_role("button", name="开始申请").click()
    fill_form(page, version.form_schema)
    page.locator("#f-partner_name").fill("李四")
    page.locator("#f-partner_id_number").fill(partner_id)
    page.get_by_role("button", name="保存并继续").click()

    expect(page.get_by_role("heading", name="申请材料")).to_be_visible()
    for code in SHARED:
        row = page.locator(f'[data-material="{code}"]')
        expect(row).to_contain_text("由部门共享获取，无需提交")
        expect(row.locator("input[type=file]")).to_have_count(0)
    check(page)
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    row = page.locator('[data-material="photo"]')
    row.locator("input[type=file]").set_input_files(str(photo))
    row.get_by_role("button", name="上传").click()
    expect(row.get_by_test_id("uploaded")).to_be_visible()
    page.get_by_role("button", name="下一步：核对信息").click()

    slot = days[0].slots[0]
    page.locator(f"label[for=slot-{slot.pk}]").click()
    page.get_by_role("button", name="确认预约，下一步").click()
    expect(page.get_by_role("heading", name="核对您的申请")).to_be_visible()
    check(page)
    page.get_by_role("button", name="确认提交").click()
    # The partner's records are looked up once he agrees (tests/e2e/test_party_consent.py).
    expect(page.get_by_test_id("case-status")).to_have_text("等待相关人授权")
    party = Case.objects.get(created_by=applicant.user).parties.get(code="partner")
    party_consent_decide(user=partner.user, party_id=party.pk, agree=True)
    page.reload()

    lookups = page.get_by_test_id("exchange-lookups")
    expect(lookups).to_contain_text("已通过数据共享获取：户籍信息、居民身份信息、婚姻登记信息")
    expect(lookups).to_contain_text("广州市公安局、广州市民政局")
    answers = page.locator("section[aria-labelledby=my-answers-title]")
    for name in ("双方户籍信息", "双方婚姻登记记录"):
        expect(answers.get_by_text(f"{name}：由部门共享获取")).to_be_visible()
    expect(page.locator("input[type=file]")).to_have_count(0)
    check(page)
    case = Case.objects.get(created_by=applicant.user)
    assert case.status == Case.Status.IN_PROGRESS
