"""The HK/Macao re-endorsement end to end in Chromium at phone width, on the demo city (the
accounts ``make demo`` prints), axe-checked on every page:

a demo resident logs in with an SMS code → finds 往来港澳通行证再次签注 → fills the form →
presents the permit from the wallet (no upload) → submits → the police department's window
clerk approves in the workbench (seeing the permit verified) → the resident pays 15 元 in the
sandbox gateway → the endorsement appears in the wallet → the courier's timeline shows on the
case page and the home page → a third party, not logged in, opens what the licence's QR code
carries and sees 有效 → the police approver revokes it on the licence-management page → the
same check shows 已撤销.

With ``ONEWINDOW_SCREENSHOTS=<folder>`` the steps are saved as ``chain-*.png`` (the
walkthrough in docs/demo-walkthrough.md uses them)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.catalog.services import service_packages_import
from onewindow.core.pii import phone_index
from onewindow.delivery.models import Shipment
from onewindow.delivery.services import shipments_advance
from onewindow.demo import data
from onewindow.demo.services import demo_city_seed
from onewindow.identity.models import Person, User
from onewindow.licences import pdf
from onewindow.licences.models import Licence
from tests.e2e.conftest import PHONE
from tests.e2e.conftest import check_page as check
from tests.e2e.helpers import Screenshots as Shots
from tests.e2e.helpers import log_in
from tests.e2e.test_apply_flows import CATALOG, fill_form, staff_for
from tests.e2e.test_payments import sandbox_url  # noqa: F401 — the sandbox gateway fixture
from tests.e2e.test_resident_login import sent_code

pytestmark = pytest.mark.django_db(transaction=True)

STEP = datetime.timedelta(seconds=60)


@pytest.fixture
def demo_city(settings: Any, live_server: LiveServer) -> Person:
    """The demo city as ``make demo`` seeds it (the printed residents hold a permit), the two
    HK/Macao packages published; the first printed resident."""
    settings.LICENCES_PUBLIC_URL = live_server.url  # what QR codes point to
    settings.DELIVERY_FAKE_FAILURE = 0.0
    settings.DELIVERY_FAKE_STEP_SECONDS = int(STEP.total_seconds())
    demo_city_seed(residents=len(data.DEMO_RESIDENTS), companies=0, seed=2025)
    service_packages_import(
        actor=Actor.system("e2e"),
        paths=[CATALOG / "hk-macau-reendorsement", CATALOG / "hk-macau-permit"],
    )
    phone = data.DEMO_RESIDENTS[0][0]
    return Person.objects.get(phone_bidx=phone_index(phone))


def sms_login(page: Page, live_server: LiveServer, phone: str) -> None:
    page.goto("/account/login/")
    check(page)
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_contain_text("验证码已发送")
    page.get_by_label("短信验证码").fill(sent_code(phone))
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/$"))


def apply_with_the_wallet_permit(page: Page, person: Person, permit: Licence, shot: Shots) -> None:
    page.goto("/services/")  # the service catalogue (办事服务)
    expect(page.get_by_role("heading", name="办事服务")).to_be_visible()
    check(page)
    page.get_by_label("搜索服务").fill("港澳")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="往来港澳通行证再次签注").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("往来港澳通行证再次签注")
    check(page)
    shot(page, "02-guide")
    page.get_by_role("link", name="在线办理").first.click()
    expect(page.get_by_text("可用电子证照，免提交")).to_be_visible()
    check(page)
    page.get_by_role("button", name="开始申请").click()

    expect(page.get_by_test_id("apply-form")).to_be_visible()
    version = Case.objects.get(created_by=person.user).service_version
    fill_form(page, version.form_schema)
    # Name, ID number and phone are the real-name record's, read-only.
    expect(page.locator("#f-applicant_name")).to_have_value(person.name)
    expect(page.locator("#f-applicant_id_number")).to_have_value(person.id_number or "")
    expect(page.locator("#f-phone")).to_have_value(person.phone or "")
    page.locator("#f-permit_number").fill(permit.claims["permitNumber"])
    page.locator("#f-mail_address").fill("广州市天河区天河路100号")
    page.locator("#f-recipient_phone").fill(person.phone or "")
    check(page)
    shot(page, "03-form")
    page.get_by_role("button", name="保存并继续").click()

    expect(page.get_by_role("heading", name="申请材料")).to_be_visible()
    row = page.locator('[data-material="permit"]')
    offered = row.get_by_test_id("wallet-licence")
    expect(offered).to_have_count(1)
    expect(offered).to_contain_text(permit.number)
    expect(offered).to_contain_text(person.masked_name)
    check(page)
    shot(page, "04-materials")
    row.get_by_role("button", name=f"使用此证照 {permit.number}").click()
    expect(row.get_by_test_id("licence-chosen")).to_contain_text(permit.number)
    expect(row.get_by_test_id("licence-status")).to_have_text("有效")
    check(page)
    page.get_by_role("button", name="下一步：核对信息").click()

    expect(page.get_by_role("heading", name="核对您的申请")).to_be_visible()
    expect(page.get_by_test_id("licence-number")).to_have_text(permit.number)
    check(page)
    shot(page, "05-review")
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_test_id("case-status")).to_have_text("办理中")
    check(page)


def clerk_approves(page: Page, live_server: LiveServer, case: Case, permit: Licence, shot: Shots):
    task = case.tasks.get(element_id="Task_Review")
    clerk = staff_for(task)
    assert clerk.username == "gaj_clerk"  # the account the walkthrough uses
    page.context.clear_cookies()
    log_in(page, clerk, base_url=live_server.url, otp_verified=True)
    page.goto("/workbench/")
    row = page.locator(f'tr[data-task="{task.pk}"]')
    expect(row).to_contain_text(case.number or "")
    check(page)
    row.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name=task.name, level=1)).to_be_visible()
    material = page.get_by_test_id("licence-material")
    expect(material).to_contain_text(permit.number)
    expect(material.get_by_test_id("licence-status")).to_have_text("有效")
    check(page)
    shot(page, "06-workbench-task")
    page.get_by_role("button", name="同意", exact=True).click()
    expect(page.get_by_test_id("task-status")).to_contain_text("已完成")
    check(page)


def pay_in_the_sandbox(page: Page, sandbox: str, shot: Shots) -> None:
    expect(page.get_by_test_id("payments-due")).to_contain_text("￥15.00")
    check(page)
    page.get_by_role("link", name="去缴费").click()
    expect(page.get_by_role("heading", name="待缴费")).to_be_visible()
    check(page)
    page.get_by_role("button", name="去缴费").click()
    expect(page.get_by_role("heading", name="沙箱收银台")).to_be_visible()
    assert page.url.startswith(sandbox)
    check(page)
    shot(page, "07-sandbox")
    page.get_by_role("button", name="确认支付").click()
    for _attempt in range(30):  # the signed notification arrives a moment later
        if page.get_by_role("heading", name="缴费成功").count():
            break
        page.wait_for_timeout(300)
        page.reload()
    expect(page.get_by_role("heading", name="缴费成功")).to_be_visible()
    check(page)


def revoke_as_issuing_department(
    page: Page, live_server: LiveServer, licence: Licence, shot: Shots
) -> None:
    """The police approver finds the licence on the licence-management page and revokes it
    (reason, then a confirmation step)."""
    page.context.clear_cookies()
    approver = User.objects.get(username="gaj_approver")
    log_in(page, approver, base_url=live_server.url, otp_verified=True)
    page.goto("/licences/staff/")
    page.get_by_label("证照编号、持证人身份证号码或统一社会信用代码").fill(licence.number)
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name=licence.number).click()
    expect(page.get_by_role("heading", name="往来港澳通行证签注", level=1)).to_be_visible()
    check(page)
    page.get_by_label("撤销原因").fill("签注信息有误，依法撤销")
    page.get_by_role("button", name="撤销", exact=True).click()
    expect(page.get_by_test_id("confirm-revoke")).to_contain_text(licence.number)
    check(page)
    shot(page, "12-revoke-confirm")
    page.get_by_role("button", name="确认撤销").click()
    expect(page.get_by_test_id("licence-status")).to_contain_text("已撤销")
    check(page)
    licence.refresh_from_db()
    assert licence.status == Licence.Status.REVOKED


def test_hk_macau_reendorsement_from_login_to_revocation(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
    demo_city: Person,
    sandbox_url: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shot = Shots("chain")
    person = demo_city
    permit = Licence.objects.get(holder_person=person, licence_type__code="hk-macau-permit")

    sms_login(page, live_server, data.DEMO_RESIDENTS[0][0])
    person.refresh_from_db()  # the first login gave the seeded person an account
    check(page)
    shot(page, "01-home")
    apply_with_the_wallet_permit(page, person, permit, shot)
    case = Case.objects.get(created_by=person.user)
    assert case.status == Case.Status.IN_PROGRESS and case.number
    material = case.materials.get(code="permit")
    assert material.licence == permit and not material.file
    shot(page, "05b-submitted")

    clerk_approves(page, live_server, case, permit, shot)

    page.context.clear_cookies()
    log_in(page, person.user, base_url=live_server.url)
    page.goto(f"/cases/{case.number}/")
    pay_in_the_sandbox(page, sandbox_url, shot)

    for _attempt in range(30):  # the worker continues the case once the fee is paid
        if (
            Licence.objects.filter(case=case).exists()
            and Shipment.objects.filter(case_number=case.number).exists()
        ):
            break
        page.wait_for_timeout(300)
    endorsement = Licence.objects.get(case=case)
    assert endorsement.licence_type.code == "hk-macau-endorsement"
    page.goto("/licences/")
    card = page.locator(f"#licence-{endorsement.number}")
    expect(card.get_by_role("heading", name="往来港澳通行证签注")).to_be_visible()
    expect(card).to_contain_text("有效")
    check(page)
    shot(page, "08-wallet")

    # The courier moves the permit on, step by step (the fake courier's clock, not the wall's).
    shipment = Shipment.objects.get(case_number=case.number)
    shipments_advance(now=shipment.created_at + STEP * 2)
    page.goto(f"/cases/{case.number}/")
    expect(page.get_by_test_id("case-status")).to_have_text("已办结（准予）")
    timeline = page.get_by_test_id("shipments")
    expect(timeline.get_by_test_id("shipment-status")).to_have_text("运输中")
    expect(timeline).to_contain_text("快递员已揽收")
    expect(page.get_by_test_id("licence-material")).to_contain_text(permit.number)
    check(page)
    shot(page, "09-case-shipping")
    shipments_advance(now=shipment.created_at + STEP * 4)
    page.goto("/")
    home = page.get_by_test_id("shipments")
    expect(home.get_by_test_id("shipment-status")).to_have_text("已签收")
    expect(home).to_contain_text(case.number or "")
    expect(page.locator("#my-licences")).to_contain_text("往来港澳通行证签注")
    check(page)
    shot(page, "10-home-delivered")

    # What the QR code on the PDF carries: the PDF renderer's own input to the QR encoder.
    carried: list[str] = []
    real_qr = pdf.qr_png
    monkeypatch.setattr(pdf, "qr_png", lambda data: carried.append(data) or real_qr(data))
    page.goto("/licences/")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载往来港澳通行证签注 PDF").click()
    assert download.value.suggested_filename == f"licence-{endorsement.number}.pdf"
    assert carried and carried[-1].startswith(f"{live_server.url}/licences/verify/?id=")

    third = browser.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    try:
        scanner = third.new_page()
        scanner.goto(carried[-1])
        result = scanner.get_by_test_id("verify-result")
        expect(result).to_have_attribute("data-result", "valid")
        expect(result).to_contain_text("有效")
        expect(result).to_contain_text(endorsement.number)
        check(scanner)
        shot(scanner, "11-verify-valid")

        revoke_as_issuing_department(page, live_server, endorsement, shot)
        scanner.goto(carried[-1])
        result = scanner.get_by_test_id("verify-result")
        expect(result).to_have_attribute("data-result", "revoked")
        expect(result).to_contain_text("已撤销")
        check(scanner)
        shot(scanner, "13-verify-revoked")
    finally:
        third.close()
