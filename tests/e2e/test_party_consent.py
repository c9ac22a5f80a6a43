"""Marriage registration in Chromium at phone width: the applicant's own answers are read-only
(from her real-name record); the case waits until the partner, logged in with his own
account, agrees to the look-up of his household and marriage records; then the look-ups run.
axe-clean on every page."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.appointments.models import Slot
from onewindow.appointments.seed import resources_seed
from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.cases.services import case_appointment_book
from onewindow.core.identifiers import citizen_id_make
from onewindow.core.pii import id_number_index
from onewindow.exchange.models import CallLog
from onewindow.testing.demo_packages import sample_answers
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in
from tests.e2e.test_apply_flows import PNG, publish

pytestmark = pytest.mark.django_db(transaction=True)


def _submit(applicant: Any, version: Any, partner_id: str) -> Case:
    user = applicant.user
    case = services.case_draft_start(user=user, service_code=version.service.code)
    data = {**sample_answers(version.form_schema), "partner_name": "李四"}
    data["partner_id_number"] = partner_id
    assert not services.case_draft_save_form(user=user, case_id=case.pk, data=data)
    services.case_material_attach(user=user, case_id=case.pk, code="photo", upload=io.BytesIO(PNG))
    resources_seed(days=10)
    slot = Slot.objects.filter(
        resource__code="marriage-registry",
        starts_at__gt=timezone.now() + datetime.timedelta(hours=1),
    ).order_by("starts_at", "pk")[0]
    case_appointment_book(user=user, case_id=case.pk, slot_id=slot.pk)
    case.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.case_submit(user=user, case_id=case.pk, token=case.submit_token)


def test_the_partner_confirms_consent_from_his_account(page: Page, live_server: LiveServer) -> None:
    version = publish("marriage-registration")
    applicant: Any = PersonFactory(name="王芳", birth_date=datetime.date(1997, 2, 3))
    partner_id = citizen_id_make("440104", datetime.date(1998, 7, 9), 456)
    partner: Any = PersonFactory(
        name="李四", id_number=partner_id, id_number_bidx=id_number_index(partner_id)
    )

    # The applicant's own answers are the record's, read-only.
    log_in(page, applicant.user, base_url=live_server.url)
    draft = services.case_draft_start(user=applicant.user, service_code=version.service.code)
    page.goto(f"/cases/drafts/{draft.pk}/form/")
    name = page.locator("#f-applicant_name")
    expect(name).to_have_value("王芳")
    expect(name).to_have_attribute("readonly", "")
    expect(page.get_by_text("来自您的实名登记信息，不能修改。").first).to_be_visible()
    assert_accessible(page)

    case = _submit(applicant, version, partner_id)
    assert case.status == Case.Status.CONSENT
    page.goto(f"/cases/{case.number}/")
    expect(page.get_by_test_id("case-status")).to_have_text("等待相关人授权")
    parties = page.get_by_test_id("parties")
    expect(parties).to_contain_text("户籍信息、婚姻登记信息、居民身份信息")
    expect(parties.get_by_test_id("consent-status")).to_have_text("待确认")
    assert_accessible(page)

    # The partner logs in with his own account and finds the request.
    page.context.clear_cookies()
    log_in(page, partner.user, base_url=live_server.url)
    page.goto("/cases/")
    banner = page.get_by_test_id("consent-banner")
    expect(banner).to_contain_text("有 1 项他人申请需要您确认授权。")
    assert_accessible(page)
    banner.get_by_role("link", name="去确认").click()
    expect(page.get_by_role("heading", name="待我确认的授权", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_test_id("consent-list").get_by_role("link", name="结婚登记").click()
    expect(page.get_by_role("heading", name="授权确认", level=1)).to_be_visible()
    records = page.get_by_test_id("consent-records")
    expect(records).to_contain_text("户籍信息（广州市公安局）")
    expect(records).to_contain_text("婚姻登记信息（广州市民政局）")
    expect(page.get_by_text("王芳 申请办理“结婚登记”")).to_be_visible()
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
    # Submitting without a choice says so; then he agrees.
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("alert")).to_contain_text("请选择同意或不同意。")
    assert_accessible(page)
    assert not CallLog.objects.filter(case_number=case.number).exists()
    page.get_by_label("同意查询").check()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("consent-status")).to_have_text("已同意")
    expect(page.get_by_text("您已同意，办件将继续办理。")).to_be_visible()
    assert_accessible(page)

    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    looked_up = CallLog.objects.filter(case_number=case.number)
    assert looked_up.count() == 6  # both parties: household, marriage and identity records

    # The applicant sees the case going on, with his consent on the timeline.
    page.context.clear_cookies()
    log_in(page, applicant.user, base_url=live_server.url)
    page.goto(f"/cases/{case.number}/")
    expect(page.get_by_test_id("case-status")).to_have_text("办理中")
    expect(page.get_by_test_id("timeline")).to_contain_text(
        "对方已通过本人账号同意查询其户籍信息、婚姻登记信息、居民身份信息。"
    )
    expect(page.get_by_test_id("parties").get_by_test_id("consent-status")).to_have_text("已同意")
    assert_accessible(page)
