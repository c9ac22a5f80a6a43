"""Courier delivery in a phone browser: the resident's address book, booking a courier
pickup of paper originals from the case page, correcting the address of a returned licence,
and the department's returned-mail list where staff re-ship it. Every page axe-clean and
without horizontal scrolling."""

from __future__ import annotations

import datetime
from typing import Any, cast

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.audit.services import Actor
from onewindow.delivery.models import Shipment
from onewindow.delivery.services import (
    ShipmentSpec,
    address_create,
    shipment_create,
    shipments_advance,
)
from onewindow.identity.models import Department, Person
from onewindow.testing.delivery import publish, submit
from onewindow.testing.factories import DepartmentFactory, PersonFactory, StaffFactory
from tests.e2e.conftest import check_page as check
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_resident_keeps_an_address_book(page: Page, live_server: LiveServer) -> None:
    person = cast(Person, PersonFactory(name="张小明"))
    log_in(page, person.user, base_url=live_server.url)
    page.goto("/")
    card = page.get_by_test_id("address-card")
    card.get_by_role("link", name="管理收件地址").click()
    expect(page.get_by_role("heading", name="收件地址", level=1)).to_be_visible()
    expect(page.get_by_text("还没有保存地址")).to_be_visible()
    check(page)

    page.get_by_role("link", name="新增地址").click()
    page.get_by_label("收件人").fill("张小明")
    page.get_by_label("手机号码").fill("1380013")
    page.get_by_label("所在地区").select_option(label="广东省广州市天河区")
    page.get_by_label("详细地址").fill("天河路100号")
    page.get_by_role("button", name="保存地址").click()
    expect(page.get_by_text("手机号码应为以1开头的11位数字")).to_be_visible()
    expect(page.get_by_label("手机号码")).to_have_attribute("aria-invalid", "true")
    check(page)
    page.get_by_label("手机号码").fill("13800138000")
    page.get_by_role("button", name="保存地址").click()

    entries = page.get_by_test_id("address")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("广东省广州市天河区天河路100号")
    expect(entries.first.get_by_test_id("default-badge")).to_be_visible()

    page.get_by_role("link", name="新增地址").click()
    page.get_by_label("收件人").fill("张小明")
    page.get_by_label("手机号码").fill("13900139000")
    page.get_by_label("所在地区").select_option("440105")
    page.get_by_label("详细地址").fill("江南大道中1号")
    page.get_by_role("button", name="保存地址").click()
    expect(entries).to_have_count(2)
    page.get_by_role("button", name="将张小明的地址设为默认").click()
    expect(page.get_by_text("已设为默认地址")).to_be_visible()
    expect(entries.first).to_contain_text("江南大道中1号")
    check(page)


def test_resident_books_a_courier_pickup_of_originals(page: Page, live_server: LiveServer) -> None:
    department = cast(Department, DepartmentFactory(code="gz-e2e-bureau", name="广州市测试局"))
    publish(department, code="paper-e2e", originals=True)
    person = cast(Person, PersonFactory(name="李娜"))
    case = submit(person, "paper-e2e")
    address_create(
        user=person.user,
        recipient="李娜",
        phone="13800138000",
        region_code="440104",
        detail="中山四路1号",
    )
    log_in(page, person.user, base_url=live_server.url)
    page.goto(f"/cases/{case.number}/")
    offer = page.get_by_test_id("pickup-offer")
    expect(offer).to_contain_text("户口簿")
    check(page)
    offer.get_by_role("link", name="预约上门取件").click()
    expect(page.get_by_role("heading", name="预约上门取件")).to_be_visible()
    check(page)
    page.get_by_role("button", name="确认预约").click()
    expect(page.get_by_text("请选择可预约的取件时间")).to_be_visible()  # the address is preset
    page.get_by_role("group", name="上门时间").get_by_role("radio").first.check()
    page.get_by_role("button", name="确认预约").click()

    expect(page.get_by_text("已预约上门取件，快递员将在预约时间上门。")).to_be_visible()
    pickup = page.locator('[data-testid="shipment"][data-kind="pickup"]')
    expect(pickup).to_contain_text("上门取件")
    expect(pickup.get_by_test_id("shipment-status")).to_have_text("已下单")
    expect(page.get_by_test_id("timeline")).to_contain_text("已预约上门取件")
    check(page)
    assert Shipment.objects.get().kind == "pickup"


def _returned(person: Person, department: Department, settings: Any) -> Shipment:
    settings.DELIVERY_FAKE_FAILURE = 1.0
    publish(department, code="mail-e2e", originals=False)
    case = submit(person, "mail-e2e")
    shipment = shipment_create(
        actor=Actor.system("e2e"),
        spec=ShipmentSpec(
            key="e2e-return",
            recipient=person.name,
            phone="13800138000",
            address="广东省广州市天河区天河路100号",
            contents="往来港澳通行证签注",
            case_number=case.number or "",
            case_id=case.pk,
            owner=person.user,
            department=department,
        ),
        now=timezone.now() - datetime.timedelta(hours=1),
    )
    shipments_advance()
    shipment.refresh_from_db()
    assert shipment.status == "returned"
    return shipment


def test_resident_corrects_a_returned_licences_address(
    page: Page, live_server: LiveServer, settings: Any
) -> None:
    department = cast(Department, DepartmentFactory(code="gz-e2e-mail", name="广州市测试局"))
    person = cast(Person, PersonFactory(name="王芳"))
    shipment = _returned(person, department, settings)
    log_in(page, person.user, base_url=live_server.url)
    page.goto(f"/cases/{shipment.case_number}/")
    note = page.get_by_test_id("shipment-note")
    expect(note).to_contain_text("快件已退回")
    expect(page.get_by_test_id("shipment-status")).to_have_text("已退回")
    check(page)
    note.get_by_role("link", name="更正地址并重新寄递").click()
    expect(page.get_by_role("heading", name="更正收件地址")).to_be_visible()
    page.get_by_label("收件人").fill("王芳")
    page.get_by_label("手机号码").fill("13900139000")
    page.get_by_label("所在地区").select_option("440105")
    page.get_by_label("详细地址").fill("江南大道中100号")
    check(page)
    page.get_by_role("button", name="提交新地址").click()
    expect(page.get_by_text("收件地址已更正，部门将按新地址重新寄递。")).to_be_visible()
    expect(page.get_by_test_id("shipment-note")).to_contain_text("江南大道中100号")
    check(page)


def test_staff_reship_returned_mail(page: Page, live_server: LiveServer, settings: Any) -> None:
    department = cast(Department, DepartmentFactory(code="gz-e2e-returns", name="广州市测试局"))
    person = cast(Person, PersonFactory(name="陈静"))
    shipment = _returned(person, department, settings)
    staff: Any = StaffFactory(department=department)
    staff.user.user_permissions.add(
        Permission.objects.get(content_type__app_label="delivery", codename="manage_returns")
    )
    log_in(page, staff.user, base_url=live_server.url, otp_verified=True)
    page.goto("/delivery/staff/returns/")
    rows = page.get_by_test_id("returns-waiting").get_by_test_id("return-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(shipment.tracking_no)
    expect(rows.first).to_contain_text("陈*")
    check(page)
    rows.first.get_by_role("link", name=f"处理运单 {shipment.tracking_no}").click()
    expect(page.get_by_test_id("return-facts")).to_contain_text("天河路100号")
    expect(page.get_by_label("详细地址")).to_have_value("广东省广州市天河区天河路100号")
    check(page)
    page.get_by_label("详细地址").fill("广东省广州市海珠区江南大道中100号")
    page.get_by_role("button", name="重新寄出").click()
    expect(page.get_by_test_id("resolution")).to_contain_text("已重新寄递")
    following = Shipment.objects.get(previous=shipment)
    expect(page.get_by_text(f"已重新寄出，新运单号 {following.tracking_no}")).to_be_visible()
    expect(page.get_by_test_id("resolution")).to_contain_text(following.tracking_no)
    check(page)
    page.get_by_role("link", name="返回退回邮件").click()
    expect(page.get_by_test_id("returns-none")).to_be_visible()
    check(page)


def test_application_form_fills_the_mailing_address_from_the_book(
    page: Page, live_server: LiveServer
) -> None:
    from onewindow.cases.services import case_draft_start
    from onewindow.testing.delivery import MAIL_FORM

    department = cast(Department, DepartmentFactory(code="gz-e2e-form", name="广州市测试局"))
    publish(department, code="mail-form-e2e", originals=False, form=MAIL_FORM)
    person = cast(Person, PersonFactory(name="刘洋"))
    address_create(
        user=person.user,
        recipient="刘洋",
        phone="13800138000",
        region_code="440106",
        detail="体育西路1号",
    )
    draft = case_draft_start(user=person.user, service_code="mail-form-e2e")
    log_in(page, person.user, base_url=live_server.url)
    page.goto(f"/cases/drafts/{draft.pk}/form/")
    picker = page.get_by_test_id("address-picker")
    expect(picker).to_be_visible()
    picker.get_by_label("从地址簿填入邮寄地址").select_option(
        label="刘洋 · 广东省广州市天河区体育西路1号（默认）"
    )
    expect(page.get_by_role("textbox", name="邮寄地址")).to_have_value(
        "广东省广州市天河区体育西路1号"
    )
    expect(page.get_by_label("收件人电话")).to_have_value("13800138000")
    expect(picker).to_contain_text("已填入")
    check(page)


def test_home_page_shows_a_returned_licence(
    page: Page, live_server: LiveServer, settings: Any
) -> None:
    department = cast(Department, DepartmentFactory(code="gz-e2e-home", name="广州市测试局"))
    person = cast(Person, PersonFactory(name="周杰"))
    shipment = _returned(person, department, settings)
    log_in(page, person.user, base_url=live_server.url)
    page.goto("/")
    section = page.get_by_test_id("shipments")
    expect(section.get_by_test_id("shipment-status")).to_have_text("已退回")
    expect(section.get_by_test_id("shipment-note")).to_contain_text("广州市测试局收件窗口")
    expect(section.get_by_role("link", name="更正地址并重新寄递")).to_have_attribute(
        "href", f"/delivery/shipments/{shipment.tracking_no}/address/"
    )
    check(page)
    page.get_by_role("button", name="长辈模式").click()
    check(page)
