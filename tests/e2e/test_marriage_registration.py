"""Marriage registration walked as the registry does it, in Chromium at phone width (axe on
every page): the applicant picks the registry and time by booking and applies; the partner
agrees from his own account; the registrar cannot review before both are checked in on the
day; the desk checks both in; the review is approved; each wallet holds a 结婚证 naming the
other as spouse, with no expiry and the booked registry; the booking says 已到场 on both
parties' pages.

With ``ONEWINDOW_SCREENSHOTS=<folder>`` the steps are saved as ``marriage-*.png`` (the
walkthrough in docs/demo-walkthrough.md uses them)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.appointments.models import Booking, Slot
from onewindow.appointments.seed import resources_seed
from onewindow.cases.models import Case
from onewindow.core.identifiers import citizen_id_make
from onewindow.core.pii import id_number_index
from onewindow.identity.models import User
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import PHONE, assert_accessible
from tests.e2e.conftest import check_page as check
from tests.e2e.helpers import Screenshots, log_in
from tests.e2e.test_apply_flows import PNG, fill_form, publish

pytestmark = pytest.mark.django_db(transaction=True)

CST = ZoneInfo("Asia/Shanghai")
# A Monday morning before the 2026 National Day holiday (the holiday calendar covers it).
NOW = datetime.datetime(2026, 9, 28, 9, 30, tzinfo=CST)
OFFICE = "广州市越秀区婚姻登记处"


shot = Screenshots("marriage")


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def resident(name: str, born: datetime.date, serial: int, phone: str) -> Any:
    number = citizen_id_make("440106", born, serial)
    return PersonFactory(
        name=name, id_number=number, id_number_bidx=id_number_index(number), phone=phone
    )


def clerk_page(page: Page, live_server: LiveServer) -> Page:
    log_in(
        page, User.objects.get(username="mzj_clerk"), base_url=live_server.url, otp_verified=True
    )
    return page


def test_a_couple_registers_their_marriage(
    page: Page, browser: Browser, live_server: LiveServer, clock: Any, tmp_path: Path
) -> None:
    version = publish("marriage-registration")
    resources_seed(days=3)
    applicant = resident("王芳", datetime.date(1997, 2, 3), 124, "13912340001")
    partner = resident("李四", datetime.date(1996, 7, 9), 457, "13912340002")

    # The applicant applies and books the registry and the time.
    log_in(page, applicant.user, base_url=live_server.url)
    page.goto(f"/cases/apply/{version.service.code}/")
    page.get_by_role("button", name="开始申请").click()
    expect(page.locator("#f-applicant_name")).to_have_value("王芳")  # the form is there
    expect(page.locator("#f-registry")).to_have_count(0)  # the booking says where
    expect(page.locator("#f-preferred_date")).to_have_count(0)  # and when
    fill_form(page, version.form_schema)
    page.locator("#f-partner_name").fill("李四")
    page.locator("#f-partner_id_number").fill(partner.id_number)
    page.get_by_role("button", name="保存并继续").click()
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    row = page.locator('[data-material="photo"]')
    row.locator("input[type=file]").set_input_files(str(photo))
    row.get_by_role("button", name="上传").click()
    expect(row.get_by_test_id("uploaded")).to_be_visible()
    page.get_by_role("button", name="下一步：核对信息").click()

    offices = page.get_by_test_id("offices")
    expect(offices).to_contain_text("广州市婚姻登记处")
    offices.get_by_role("link", name=OFFICE).click()
    expect(page.get_by_role("heading", name=OFFICE)).to_be_visible()
    check(page)
    slot = Slot.objects.get(
        resource__code="marriage-registry-yuexiu",
        starts_at=datetime.datetime(2026, 9, 28, 14, 0, tzinfo=CST),
    )
    page.locator(f"label[for=slot-{slot.pk}]").click()
    shot(page, "01-booking")
    page.get_by_role("button", name="确认预约，下一步").click()
    expect(page.get_by_role("heading", name="核对您的申请")).to_be_visible()
    expect(page.get_by_text(f"{OFFICE}：2026-09-28 14:00–14:30")).to_be_visible()
    check(page)
    shot(page, "02-review")
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_test_id("case-status")).to_have_text("等待相关人授权")
    case = Case.objects.get(created_by=applicant.user)

    # The partner agrees from his own account (phone width too).
    theirs = browser.new_context(
        viewport=PHONE, locale="zh-CN", base_url=live_server.url, is_mobile=True, has_touch=True
    ).new_page()
    log_in(theirs, partner.user, base_url=live_server.url)
    theirs.goto("/cases/consents/")
    theirs.get_by_role("link", name="结婚登记").click()
    expect(theirs.get_by_label("同意查询")).to_be_visible()
    shot(theirs, "03-consent")
    theirs.get_by_label("同意查询").check()
    theirs.get_by_role("button", name="提交").click()
    expect(theirs.get_by_test_id("consent-status")).to_have_text("已同意")
    check(theirs)

    # The registrar cannot review before both are here.
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    task = case.tasks.get(element_id="Task_Review")
    desk = clerk_page(page, live_server)
    desk.goto(f"/workbench/tasks/{task.pk}/")
    expect(desk.get_by_test_id("not-present")).to_have_text(
        "当场审查须在预约当天，申请人、对方到场签到后进行"
        "（预约：广州市越秀区婚姻登记处，2026-09-28 14:00）。"
    )
    expect(desk.get_by_role("button", name="同意")).to_have_count(0)
    assert_accessible(desk)

    # 14:05: both come; the desk lists and checks in each.
    clock.move_to(datetime.datetime(2026, 9, 28, 14, 5, tzinfo=CST))
    desk = clerk_page(page, live_server)  # staff sessions end after 15 idle minutes
    desk.goto("/appointments/desk/marriage-registry-yuexiu/")
    booking = Booking.objects.get(case=case)
    row = desk.locator(f'[data-booking="{booking.pk}"]')
    attendees = row.get_by_test_id("booking-attendees")
    expect(attendees).to_contain_text("申请人 王*")
    expect(attendees).to_contain_text("对方 李*")
    check(desk)
    row.get_by_role("button", name="为 王* 签到").click()
    expect(
        desk.get_by_role("status").filter(has_text="王* 已签到，等待其他相关人到场。")
    ).to_be_visible()
    row = desk.locator(f'[data-booking="{booking.pk}"]')
    expect(row.get_by_test_id("booking-present")).to_have_text("已签到 1/2")
    row.get_by_role("button", name="为 李* 签到").click()
    expect(desk.get_by_role("status").filter(has_text="李* 已签到。")).to_be_visible()
    expect(
        desk.locator(f'[data-booking="{booking.pk}"]').get_by_test_id("booking-status")
    ).to_have_text("已到场")
    check(desk)
    shot(desk, "04-desk-checked-in")

    # The on-the-spot review, approved.
    desk.goto(f"/workbench/tasks/{task.pk}/")
    expect(desk.get_by_test_id("not-present")).to_have_count(0)
    desk.get_by_role("button", name="同意").click()
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED

    # Both wallets hold the certificate, each naming the other.
    for who, spouse, tab in ((applicant, "李四", None), (partner, "王芳", theirs)):
        view = tab or page
        if tab is None:
            page.context.clear_cookies()
            log_in(page, who.user, base_url=live_server.url)
        view.goto("/licences/")
        card = view.get_by_test_id("licence").filter(has_text="结婚证")
        expect(card).to_have_count(1)
        expect(card).to_contain_text(f"配偶姓名：{spouse}")
        expect(card).to_contain_text(f"登记机关：{OFFICE}")
        expect(card.get_by_test_id("licence-valid-until")).to_have_text("长期有效")
        check(view)
        shot(view, "05-wallet-applicant" if tab is None else "06-wallet-partner")

    # The booking says they came, on the applicant's case and on the partner's.
    page.goto(f"/cases/{case.number}/")
    expect(page.get_by_test_id("case-appointment-status")).to_have_text("已到场")
    check(page)
    theirs.goto("/cases/")
    expect(theirs.get_by_test_id("joint-case-list")).to_contain_text("王芳 申请")
    check(theirs)
    theirs.get_by_test_id("joint-case-list").get_by_role("link", name="结婚登记").click()
    expect(theirs.get_by_test_id("joint-role")).to_have_text("王芳 提交的共同申请，您是对方。")
    expect(theirs.get_by_test_id("case-status")).to_have_text("已办结（准予）")
    expect(theirs.get_by_test_id("case-appointment-status")).to_have_text("已到场")
    check(theirs)
    theirs.context.close()
