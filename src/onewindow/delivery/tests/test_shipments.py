"""Shipments move through the fake courier's steps on the beat task, failures end in a
return, booking twice books once, and the case and home pages show the timeline."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.audit.services import Actor
from onewindow.core.errors import ValidationFailed
from onewindow.delivery.models import Address, Shipment
from onewindow.delivery.services import (
    ShipmentSpec,
    address_create,
    shipment_create,
    shipments_advance,
)
from onewindow.testing.factories import PersonFactory
from onewindow.workflow.actions import ActionContext, get_action

pytestmark = pytest.mark.django_db
T0 = timezone.now().replace(microsecond=0)
STEP = datetime.timedelta(seconds=60)


def book(key: str = "case-1:Ship:1", **kw: Any) -> Shipment:
    return shipment_create(
        actor=Actor.system("test"),
        spec=ShipmentSpec(
            key=key,
            recipient="张三",
            phone="13800138000",
            address="广州市天河区天河路100号",
            contents="往来港澳通行证",
            case_number=kw.pop("case_number", "GZ0001"),
            **kw,
        ),
        now=T0,
    )


def test_fake_courier_steps_to_signed(settings):
    settings.DELIVERY_FAKE_STEP_SECONDS = 60
    settings.DELIVERY_FAKE_FAILURE = 0.0
    shipment = book()
    seen = []
    for minutes in range(1, 6):
        shipments_advance(now=T0 + STEP * minutes)
        shipment.refresh_from_db()
        seen.append(shipment.status)
    assert seen == ["collected", "in_transit", "out_for_delivery", "delivered", "delivered"]
    assert [e.status for e in shipment.events.all()] == [
        "created",
        "collected",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]


def test_failure_and_return(settings):
    settings.DELIVERY_FAKE_FAILURE = 1.0
    shipment = book()
    shipments_advance(now=T0 + STEP * 20)
    shipment.refresh_from_db()
    assert shipment.status == "returned" and shipment.attempts == 2
    assert "failed" in [e.status for e in shipment.events.all()]
    assert shipments_advance(now=T0 + STEP * 40) == 0  # a returned shipment is final


def test_booking_twice_books_once_and_phone_is_encrypted():
    first, second = book(), book()
    assert first.pk == second.pk and Shipment.objects.count() == 1
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM delivery_shipment")
        assert "13800138000" not in cursor.fetchone()[0]


def test_bad_phone_refused_nothing_written():
    with pytest.raises(ValidationFailed):
        shipment_create(
            actor=Actor.system("test"),
            spec=ShipmentSpec(
                key="k",
                recipient="张三",
                phone="12345",
                address="广州市天河区天河路100号",
                contents="x",
            ),
        )
    assert not Shipment.objects.exists()


def test_address_book_entry():
    person: Any = PersonFactory()
    address = address_create(
        user=person.user, recipient="张三", phone="13800138000", detail="广州市越秀区中山路1号"
    )
    assert Address.objects.get(pk=address.pk).phone == "13800138000"
    with pytest.raises(ValidationFailed):
        address_create(user=person.user, recipient="", phone="13800138000", detail="广州市")


def test_ship_action_books_from_the_form_and_home_page_shows_it(settings):
    person: Any = PersonFactory()
    ctx = ActionContext(
        action="delivery.ship",
        key="77:Ship:abc",
        element_id="Ship",
        params={"method": "mail"},
        data={"mail_address": "广州市海珠区江南大道1号", "recipient_phone": "13900139000"},
        context={"case_number": "GZ0077", "applicant_person_id": person.pk},
    )
    out = get_action("delivery.ship")(ctx)
    assert out["delivery"]["status"] == "shipped"
    shipment = Shipment.objects.get(tracking_no=out["delivery"]["tracking_no"])
    assert (shipment.case_number, shipment.owner) == ("GZ0077", person.user)
    assert get_action("delivery.ship")(ctx) == out  # the retry books nothing new
    client = Client()
    client.force_login(person.user)
    page = client.get("/").content.decode()
    assert shipment.tracking_no in page and "物流信息" in page
