"""The registry office's desk in the browser at phone width: the civil affairs window clerk
goes from the workbench to the day's bookings (masked names, case numbers), checks a couple
in, marks the other as not come once their slot has started, and picks tomorrow's date.
axe-core on every state."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.appointments.models import Booking, Slot
from onewindow.appointments.seed import resources_seed
from onewindow.core.masking import mask_name
from onewindow.identity.models import User
from onewindow.testing.appointments import apply_with_booking
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in
from tests.e2e.test_apply_flows import publish

pytestmark = pytest.mark.django_db(transaction=True)

CST = ZoneInfo("Asia/Shanghai")
# A Monday afternoon before the 2026 National Day holiday (the calendar covers it).
NOW = datetime.datetime(2026, 9, 28, 13, 0, tzinfo=CST)
PARTNER = mask_name("测试内容")  # the partner the sample answers name


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def _slot(day: datetime.date, hour: int) -> Slot:
    start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=CST)
    return Slot.objects.get(resource__code="marriage-registry", starts_at=start)


def test_the_clerk_checks_a_couple_in(page: Page, live_server: LiveServer, clock: Any) -> None:
    version = publish("marriage-registration")
    resources_seed(days=3)
    today, tomorrow = NOW.date(), NOW.date() + datetime.timedelta(days=1)
    first, second, later = (PersonFactory(name=n) for n in ("欧阳晓明", "陈静怡", "李四"))
    cases = [
        apply_with_booking(first, version, _slot(today, 14)),
        apply_with_booking(second, version, _slot(today, 14)),
        apply_with_booking(later, version, _slot(tomorrow, 9)),
    ]
    log_in(
        page, User.objects.get(username="mzj_clerk"), base_url=live_server.url, otp_verified=True
    )
    page.goto("/workbench/")
    page.get_by_role("link", name="今日预约：广州市天河区婚姻登记处").click()

    expect(page.get_by_role("heading", name="预约到场", level=1)).to_be_visible()
    table = page.get_by_test_id("desk-bookings")
    expect(table.get_by_role("rowheader", name="14:00–14:30")).to_be_visible()
    expect(table).to_contain_text("欧**明")
    expect(table).to_contain_text(cases[0].number)
    expect(table).not_to_contain_text("欧阳晓明")
    expect(table).not_to_contain_text(cases[2].number)
    expect(page.get_by_test_id("desk-summary")).to_contain_text("待到场 2")
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)

    # A marriage: both parties are listed and each is checked in.
    row = page.locator(f'[data-booking="{Booking.objects.get(case=cases[0]).pk}"]')
    expect(row.get_by_test_id("booking-attendees")).to_contain_text(f"对方 {PARTNER}")
    row.get_by_role("button", name="为 欧**明 签到").click()
    expect(page.get_by_role("status").filter(has_text="欧**明 已签到，等待")).to_be_visible()
    row = page.locator(f'[data-booking="{Booking.objects.get(case=cases[0]).pk}"]')
    expect(row.get_by_test_id("booking-status")).to_have_text("已预约")
    row.get_by_role("button", name=f"为 {PARTNER} 签到").click()
    expect(page.get_by_role("status").filter(has_text=f"{PARTNER} 已签到。")).to_be_visible()
    row = page.locator(f'[data-booking="{Booking.objects.get(case=cases[0]).pk}"]')
    expect(row.get_by_test_id("booking-status")).to_have_text("已到场")
    expect(page.get_by_test_id("desk-summary")).to_contain_text("已到场 1")
    assert_accessible(page)

    # Before 14:00 nobody can be marked as not come; at 14:40 the second couple has not.
    expect(page.get_by_role("button", name="标记 陈*怡 未到场")).to_have_count(0)
    clock.move_to(datetime.datetime(2026, 9, 28, 14, 40, tzinfo=CST))
    log_in(  # staff sessions end after 15 idle minutes
        page, User.objects.get(username="mzj_clerk"), base_url=live_server.url, otp_verified=True
    )
    page.reload()
    page.get_by_role("button", name="标记 陈*怡 未到场").click()
    expect(page.get_by_role("status").filter(has_text="陈*怡 已标记为未到场。")).to_be_visible()
    assert Booking.objects.get(case=cases[1]).status == "no_show"
    expect(page.get_by_test_id("desk-summary")).to_contain_text("未到场 1")
    assert_accessible(page)

    page.get_by_label("日期", exact=True).fill(tomorrow.isoformat())
    page.get_by_role("button", name="查看").click()
    table = page.get_by_test_id("desk-bookings")
    expect(table).to_contain_text(cases[2].number)
    expect(table).to_contain_text("李*")
    expect(table.get_by_role("button", name="为 李* 签到")).to_have_count(0)  # not today
    assert_accessible(page)
