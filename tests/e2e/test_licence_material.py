"""The licence material on a phone, axe-clean: holding no permit, the materials step says so,
links to the service that issues it and still takes a scan; holding one, it is chosen from the
wallet; revoked before submission, check-your-answers refuses with the error at the permit."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.audit.services import Actor
from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.catalog.services import service_packages_import
from onewindow.licences.services import licence_issue, licence_revoke
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in
from tests.e2e.test_apply_flows import CATALOG, publish
from tests.e2e.test_hk_macau_chain import check

pytestmark = pytest.mark.django_db(transaction=True)


def _draft_at_materials(person: Any) -> Case:
    version = publish("hk-macau-reendorsement")
    service_packages_import(actor=Actor.system("e2e"), paths=[CATALOG / "hk-macau-permit"])
    case = services.case_draft_start(user=person.user, service_code=version.service.code)
    answers = {
        "applicant_name": person.name,
        "applicant_id_number": person.id_number,
        "phone": "13800138000",
        "permit_number": "C12345678",
        "destination": "hk",
        "endorsement_type": "individual",
        "validity": "3m1",
        "mail_address": "广州市越秀区府前路1号",
        "recipient_phone": "13800138000",
    }
    assert not services.case_draft_save_form(user=person.user, case_id=case.pk, data=answers)
    return case


def test_no_permit_links_to_its_service_and_a_revoked_one_stops_the_submission(
    page: Page, live_server: LiveServer
) -> None:
    person = PersonFactory()
    case = _draft_at_materials(person)
    log_in(page, person.user, base_url=live_server.url)
    page.goto(f"/cases/drafts/{case.pk}/materials/")
    row = page.locator('[data-material="permit"]')
    expect(row.get_by_test_id("no-licence")).to_contain_text("您的证照中没有有效的往来港澳通行证")
    expect(row.get_by_label("上传扫描件（PDF、JPG、PNG，不超过 10 MB）")).to_be_visible()
    check(page)
    row.get_by_role("link", name="在线办理：往来港澳通行证").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("往来港澳通行证")
    assert_accessible(page)

    permit = licence_issue(
        actor=Actor.system("e2e"), licence_type_code="hk-macau-permit", holder_person=person
    )
    page.goto(f"/cases/drafts/{case.pk}/materials/")
    row.get_by_role("button", name=f"使用此证照 {permit.number}").click()
    expect(row.get_by_test_id("licence-status")).to_have_text("有效")
    page.get_by_role("button", name="下一步：核对信息").click()
    expect(page.get_by_role("heading", name="核对您的申请")).to_be_visible()

    licence_revoke(actor=Actor.system("e2e"), licence_id=permit.pk, reason="挂失")
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_role("alert")).to_contain_text("该电子证照已被撤销")
    expect(page.get_by_test_id("material-error")).to_contain_text("往来港澳通行证")
    expect(page.get_by_test_id("licence-status")).to_have_text("已撤销")
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT
