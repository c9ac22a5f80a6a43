"""上门取件 of paper originals: offered on the case page of a service that wants originals,
booked from an address book entry and a time window, addressed to the owning department's
window, on the case timeline; booking twice books once; cancellable before collection."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.audit.models import AuditEvent
from onewindow.cases.models import Case, CaseEvent
from onewindow.delivery.models import DepartmentWindow, Shipment
from onewindow.delivery.services import address_create, shipments_advance
from onewindow.delivery.services.pickups import pickup_windows
from onewindow.identity.models import Department, Person
from onewindow.notify.models import SmsMessage
from onewindow.testing.delivery import publish, submit
from onewindow.testing.factories import PersonFactory, make_person, user_of

pytestmark = pytest.mark.django_db


def client_for(person: Any) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


@pytest.fixture
def home(resident: Person) -> Any:
    return address_create(
        user=user_of(resident),
        recipient="张三",
        phone="13800138000",
        region_code="440104",
        detail="中山四路1号",
    )


def test_case_page_offers_a_pickup_only_where_originals_are_wanted(
    paper_case: Case, resident: Person, department: Department
):
    client = client_for(resident)
    page = client.get(f"/cases/{paper_case.number}/").content.decode()
    assert 'data-testid="pickup-offer"' in page and "户口簿" in page
    assert f"/delivery/cases/{paper_case.number}/pickup/" in page
    publish(department, code="no-paper", originals=False)
    plain = submit(resident, "no-paper", key="k2")
    page = client.get(f"/cases/{plain.number}/").content.decode()
    assert 'data-testid="pickup-offer"' not in page
    response = client.get(f"/delivery/cases/{plain.number}/pickup/")
    assert response.status_code == 200 and 'data-testid="no-originals"' in response.content.decode()


def test_book_a_pickup_to_the_departments_window(
    paper_case: Case, resident: Person, department: Department, home: Any
):
    DepartmentWindow.objects.create(
        department=department,
        name="广州市测试局收件窗口",
        contact="测试局窗口",
        phone="020-83000000",
        region_code="440104",
        address="广东省广州市越秀区府前路1号",
    )
    window = pickup_windows()[0]
    client = client_for(resident)
    page = client.get(f"/delivery/cases/{paper_case.number}/pickup/").content.decode()
    assert "中山四路1号" in page and window.value in page
    form = {"address": home.pk, "window": window.value}
    response = client.post(f"/delivery/cases/{paper_case.number}/pickup/", form)
    assert response.status_code == 302 and response["Location"] == f"/cases/{paper_case.number}/"
    assert client.post(f"/delivery/cases/{paper_case.number}/pickup/", form).status_code == 200
    shipment = Shipment.objects.get()
    assert shipment.kind == "pickup" and shipment.case_id == paper_case.pk
    assert (shipment.sender_name, shipment.sender_phone) == ("张三", "13800138000")
    assert shipment.sender_address == "广东省广州市越秀区中山四路1号"
    assert (shipment.recipient, shipment.address) == ("测试局窗口", "广东省广州市越秀区府前路1号")
    assert shipment.department == department and shipment.pickup_from == window.start
    assert "户口簿" in shipment.contents
    note = CaseEvent.objects.get(case=paper_case, kind="delivery_pickup")
    assert shipment.tracking_no in note.message and note.public
    assert AuditEvent.objects.filter(action="delivery.pickup.book").count() == 1
    page = client.get(f"/cases/{paper_case.number}/").content.decode()
    assert 'data-kind="pickup"' in page and 'data-testid="pickup-offer"' not in page
    assert "取消上门取件" in page


def test_bad_booking_is_refused_at_the_fields(paper_case: Case, resident: Person, home: Any):
    client = client_for(resident)
    url = f"/delivery/cases/{paper_case.number}/pickup/"
    response = client.post(url, {"window": "2001-01-01T09"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "请选择取件地址" in text and "请选择可预约的取件时间" in text
    stranger_address = address_create(
        user=user_of(make_person()),
        recipient="李四",
        phone="13900139000",
        region_code="440104",
        detail="北京路1号",
    )
    forged = {"address": stranger_address.pk, "window": pickup_windows()[0].value}
    assert client.post(url, forged).status_code == 400
    assert not Shipment.objects.exists()


def test_someone_elses_case_is_not_found(paper_case: Case):
    stranger = client_for(PersonFactory())
    assert stranger.get(f"/delivery/cases/{paper_case.number}/pickup/").status_code == 404
    assert stranger.post(f"/delivery/cases/{paper_case.number}/pickup/", {}).status_code == 404


def test_cancel_before_the_courier_comes_and_book_again(
    paper_case: Case, resident: Person, home: Any
):
    client = client_for(resident)
    url = f"/delivery/cases/{paper_case.number}/pickup/"
    client.post(url, {"address": home.pk, "window": pickup_windows()[0].value})
    shipment = Shipment.objects.get()
    assert client.post(f"/delivery/shipments/{shipment.tracking_no}/cancel/").status_code == 302
    shipment.refresh_from_db()
    assert shipment.status == "cancelled"
    assert "已取消上门取件。" in CaseEvent.objects.filter(kind="delivery_pickup").values_list(
        "message", flat=True
    )
    assert (
        'data-testid="pickup-offer"' in client.get(f"/cases/{paper_case.number}/").content.decode()
    )
    client.post(url, {"address": home.pk, "window": pickup_windows()[1].value})
    assert Shipment.objects.filter(kind="pickup").exclude(status="cancelled").count() == 1


def test_after_collection_a_pickup_cannot_be_cancelled(
    paper_case: Case, resident: Person, home: Any, settings: Any
):
    settings.DELIVERY_FAKE_STEP_SECONDS = 60
    client = client_for(resident)
    client.post(
        f"/delivery/cases/{paper_case.number}/pickup/",
        {"address": home.pk, "window": pickup_windows()[0].value},
    )
    shipment = Shipment.objects.get()
    shipments_advance(now=shipment.created_at + datetime.timedelta(seconds=61))
    shipment.refresh_from_db()
    assert shipment.status == "collected"
    response = client.post(f"/delivery/shipments/{shipment.tracking_no}/cancel/", follow=True)
    assert "快递员已取件，不能取消" in response.content.decode()
    shipment.refresh_from_db()
    assert shipment.status == "collected"


def test_a_failed_pickup_delivery_tells_the_resident(
    paper_case: Case, resident: Person, home: Any, settings: Any
):
    settings.DELIVERY_FAKE_FAILURE = 1.0
    client_for(resident).post(
        f"/delivery/cases/{paper_case.number}/pickup/",
        {"address": home.pk, "window": pickup_windows()[0].value},
    )
    shipment = Shipment.objects.get()
    shipments_advance(now=timezone.now() + datetime.timedelta(minutes=4, seconds=30))
    shipment.refresh_from_db()
    assert shipment.status == "failed"
    assert SmsMessage.objects.get().phone == "13800138000"  # the resident, not the window


def test_windows_need_an_hours_notice():
    noon = timezone.make_aware(datetime.datetime(2026, 5, 6, 8, 30))
    first = pickup_windows(noon)[0]
    assert first.start.hour == 14 and timezone.localtime(first.start).date() == noon.date()
