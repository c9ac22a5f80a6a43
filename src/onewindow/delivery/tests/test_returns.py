"""Failure and return handling: the resident is told (SMS row, case timeline) after a failed
delivery and a return; the issuing department's staff see their returned mail and re-ship it
to the corrected address or hold it at the window; the resident corrects the address while it
is not yet collected. Every step audited and safe to repeat."""

from __future__ import annotations

import datetime
from typing import Any, cast

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.cases.models import Case, CaseEvent
from onewindow.delivery.models import Shipment
from onewindow.delivery.services import ShipmentSpec, shipment_create, shipments_advance
from onewindow.delivery.tests.conftest import returns_staff
from onewindow.identity.models import Department, Person, Staff
from onewindow.notify.models import SmsMessage
from onewindow.testing.clients import staff_client
from onewindow.testing.factories import DepartmentFactory, PersonFactory, StaffFactory

pytestmark = pytest.mark.django_db
STEP = datetime.timedelta(seconds=60)


@pytest.fixture(autouse=True)
def failing_courier(settings: Any) -> None:
    settings.DELIVERY_FAKE_STEP_SECONDS = 60
    settings.DELIVERY_FAKE_FAILURE = 1.0


def mail(case: Case, person: Person, department: Department, key: str = "ship-1") -> Shipment:
    return shipment_create(
        actor=Actor.system("test"),
        spec=ShipmentSpec(
            key=key,
            recipient=person.name,
            phone="13800138000",
            address="广东省广州市天河区天河路100号",
            contents="往来港澳通行证签注",
            case_number=case.number or "",
            case_id=case.pk,
            owner=person.user,
            department=department,
        ),
        now=timezone.now() - STEP * 30,
    )


def advance_to(shipment: Shipment, steps: int) -> Shipment:
    shipments_advance(now=shipment.created_at + STEP * steps + datetime.timedelta(seconds=1))
    shipment.refresh_from_db()
    return shipment


def notes(case: Case, kind: str) -> list[str]:
    return list(CaseEvent.objects.filter(case=case, kind=kind).values_list("message", flat=True))


def resident_client(person: Any) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def last_sms() -> str:
    return str(SmsMessage.objects.order_by("-pk")[0].params)


def returned(paper_case: Case, resident: Person, department: Department, key: str) -> Shipment:
    return advance_to(mail(paper_case, resident, department, key), 20)


def test_failed_delivery_and_return_tell_the_resident_once_each(
    paper_case: Case, resident: Person, department: Department
):
    shipment = advance_to(mail(paper_case, resident, department), 4)
    assert shipment.status == "failed" and shipment.attempts == 1
    sms = SmsMessage.objects.get()
    assert (sms.phone, sms.template) == ("13800138000", "case_update")
    assert "派送失败" in sms.params and paper_case.number in sms.params
    [note] = notes(paper_case, "delivery_failed")
    assert "第1次" in note and CaseEvent.objects.get(kind="delivery_failed").public
    advance_to(shipment, 4)  # the same events again: nobody is told twice
    assert SmsMessage.objects.count() == 1
    shipment = advance_to(shipment, 20)
    assert shipment.status == "returned" and shipment.attempts == 2
    assert SmsMessage.objects.count() == 2 and "退回" in last_sms()
    assert len(notes(paper_case, "delivery_returned")) == 1
    page = resident_client(resident).get(f"/cases/{paper_case.number}/").content.decode()
    assert "快件已退回" in page and "更正地址并重新寄递" in page


def test_staff_see_only_their_departments_returned_mail(
    paper_case: Case, resident: Person, department: Department
):
    shipment = returned(paper_case, resident, department, "ship-scope")
    mine = staff_client(returns_staff(department).user)
    page = mine.get("/delivery/staff/returns/")
    assert page.status_code == 200 and shipment.tracking_no in page.content.decode()
    assert "张*" in page.content.decode() and "138****8000" in page.content.decode()
    assert mine.get(f"/delivery/staff/returns/{shipment.pk}/").status_code == 200
    other_bureau = cast(Department, DepartmentFactory(code="other-bureau"))
    other = staff_client(returns_staff(other_bureau).user)
    assert shipment.tracking_no not in other.get("/delivery/staff/returns/").content.decode()
    assert other.get(f"/delivery/staff/returns/{shipment.pk}/").status_code == 404
    response = other.post(f"/delivery/staff/returns/{shipment.pk}/", {"action": "counter"})
    assert response.status_code == 404
    shipment.refresh_from_db()
    assert shipment.resolution == ""
    assert 'href="/delivery/staff/returns/" aria-current="page"' in page.content.decode()  # nav
    without_permission = staff_client(cast(Staff, StaffFactory(department=department)).user)
    assert without_permission.get("/delivery/staff/returns/").status_code == 403
    assert "/delivery/staff/returns/" not in without_permission.get("/workbench/").content.decode()


def test_resident_corrects_the_address_and_staff_reship_to_it_once(
    paper_case: Case, resident: Person, department: Department
):
    shipment = returned(paper_case, resident, department, "ship-reship")
    correction = {
        "recipient": "张三",
        "phone": "13900139000",
        "region_code": "440105",
        "detail": "江南大道中100号",
    }
    client = resident_client(resident)
    response = client.post(f"/delivery/shipments/{shipment.tracking_no}/address/", correction)
    assert response.status_code == 302
    shipment.refresh_from_db()
    assert shipment.corrected_address == "广东省广州市海珠区江南大道中100号"
    assert shipment.corrected_phone == "13900139000" and shipment.resolution == ""
    assert notes(paper_case, "delivery_address")
    staff = staff_client(returns_staff(department).user)
    page = staff.get(f"/delivery/staff/returns/{shipment.pk}/").content.decode()
    assert "申请人已" in page and "江南大道中100号" in page
    form = {"action": "reship", **correction, "detail": shipment.corrected_address}
    assert staff.post(f"/delivery/staff/returns/{shipment.pk}/", form).status_code == 302
    assert staff.post(f"/delivery/staff/returns/{shipment.pk}/", form).status_code == 302
    following = Shipment.objects.get(previous=shipment)
    assert following.address == "广东省广州市海珠区江南大道中100号"
    assert (following.phone, following.department, following.case_id) == (
        "13900139000",
        department,
        paper_case.pk,
    )
    shipment.refresh_from_db()
    assert shipment.resolution == "reshipped" and shipment.status == "returned"
    assert following.tracking_no in last_sms()
    assert AuditEvent.objects.filter(action="delivery.shipment.reship").count() == 1
    listing = staff.get("/delivery/staff/returns/").content.decode()
    assert 'data-testid="returns-none"' in listing  # nothing waiting; listed as resolved
    assert f"{shipment.tracking_no}</a> · 已重新寄递 → {following.tracking_no}" in listing
    blocked = client.post(f"/delivery/shipments/{shipment.tracking_no}/address/", correction)
    assert blocked.status_code == 409  # already on its way again


def test_reship_with_a_bad_phone_is_refused_at_the_field(
    paper_case: Case, resident: Person, department: Department
):
    shipment = returned(paper_case, resident, department, "ship-badphone")
    staff = staff_client(returns_staff(department).user)
    form = {
        "action": "reship",
        "recipient": "张三",
        "phone": "12345",
        "region_code": "440105",
        "detail": "江南大道中100号",
    }
    response = staff.post(f"/delivery/staff/returns/{shipment.pk}/", form)
    assert response.status_code == 400
    assert "手机号码应为以1开头的11位数字" in response.content.decode()
    assert not Shipment.objects.filter(previous=shipment).exists()


def test_held_at_the_window_then_collected(
    paper_case: Case, resident: Person, department: Department
):
    shipment = returned(paper_case, resident, department, "ship-counter")
    staff = staff_client(returns_staff(department).user)
    url = f"/delivery/staff/returns/{shipment.pk}/"
    assert staff.post(url, {"action": "collected"}).status_code == 409  # not held yet
    for _twice in range(2):
        assert staff.post(url, {"action": "counter"}).status_code == 302
    shipment.refresh_from_db()
    assert shipment.resolution == "counter"
    assert AuditEvent.objects.filter(action="delivery.shipment.hold").count() == 1
    assert "证件已留存窗口" in last_sms()
    home = resident_client(resident).get("/").content.decode()
    assert "证件已留存" in home
    assert staff.post(url, {"action": "collected"}).status_code == 302
    shipment.refresh_from_db()
    assert shipment.counter_collected_at is not None
    listing = staff.get("/delivery/staff/returns/").content.decode()
    assert 'data-testid="returns-none"' in listing and "（已领取）" in listing
    assert notes(paper_case, "delivery_counter")[-1] == "申请人已在窗口领取证件。"


def test_before_collection_a_correction_rebooks_the_order(
    paper_case: Case, resident: Person, department: Department
):
    shipment = mail(paper_case, resident, department, "ship-early")
    correction = {
        "recipient": "张三",
        "phone": "13900139000",
        "region_code": "440104",
        "detail": "中山四路1号",
    }
    client = resident_client(resident)
    url = f"/delivery/shipments/{shipment.tracking_no}/address/"
    assert client.post(url, correction).status_code == 302
    assert client.post(url, correction).status_code == 302  # sent twice: one new order
    shipment.refresh_from_db()
    following = Shipment.objects.get(previous=shipment)
    assert shipment.status == "cancelled" and following.status == "created"
    assert following.address == "广东省广州市越秀区中山四路1号"
    assert "重新下单" in notes(paper_case, "delivery_address")[0]
    assert shipments_advance(now=shipment.created_at + STEP * 40) >= 0
    shipment.refresh_from_db()
    assert shipment.status == "cancelled"  # a cancelled order is never polled back to life


def test_in_transit_the_address_cannot_change(
    paper_case: Case, resident: Person, department: Department
):
    shipment = advance_to(mail(paper_case, resident, department, "ship-transit"), 2)
    assert shipment.status == "in_transit"
    response = resident_client(resident).post(
        f"/delivery/shipments/{shipment.tracking_no}/address/",
        {
            "recipient": "张三",
            "phone": "13900139000",
            "region_code": "440104",
            "detail": "中山四路1号",
        },
    )
    assert response.status_code == 409 and "不能更改地址" in response.content.decode()
    shipment.refresh_from_db()
    assert shipment.corrected_at is None and not Shipment.objects.filter(previous=shipment)


def test_only_the_owner_corrects_an_address(
    paper_case: Case, resident: Person, department: Department
):
    shipment = returned(paper_case, resident, department, "ship-owner")
    stranger = resident_client(PersonFactory())
    url = f"/delivery/shipments/{shipment.tracking_no}/address/"
    assert stranger.get(url).status_code == 404
    response = stranger.post(
        url,
        {
            "recipient": "李四",
            "phone": "13900139000",
            "region_code": "440104",
            "detail": "中山四路1号",
        },
    )
    assert response.status_code == 404
    shipment.refresh_from_db()
    assert shipment.corrected_at is None


def test_a_bad_correction_names_each_field_and_changes_nothing(
    paper_case: Case, resident: Person, department: Department
):
    shipment = returned(paper_case, resident, department, "ship-badfix")
    response = resident_client(resident).post(
        f"/delivery/shipments/{shipment.tracking_no}/address/",
        {"recipient": "张三", "phone": "139", "region_code": "999999", "detail": "短"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    for message in (
        "手机号码应为以1开头的11位数字",
        "所在地区不是现行的行政区划代码",
        "请填写详细地址",
    ):
        assert message in text
    shipment.refresh_from_db()
    assert shipment.corrected_at is None


def test_case_pages_link_staff_to_their_returned_mail(
    paper_case: Case, resident: Person, department: Department
):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from onewindow.delivery.templatetags.delivery_tags import delivery_timeline

    shipment = returned(paper_case, resident, department, "ship-link")
    request = RequestFactory().get("/")
    request.user = returns_staff(department).user
    context = delivery_timeline({"request": request}, paper_case)
    html = render_to_string("delivery/timeline.html", context)
    assert f"/delivery/staff/returns/{shipment.pk}/" in html
    request.user = returns_staff(cast(Department, DepartmentFactory(code="elsewhere"))).user
    html = render_to_string(
        "delivery/timeline.html", delivery_timeline({"request": request}, paper_case)
    )
    assert "/delivery/staff/returns/" not in html
