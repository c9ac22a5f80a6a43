"""Tracking by push: the courier's signed route pushes reach /delivery/push/<carrier>/. A push
is answered before it is applied; unsigned or forged pushes are refused, logged and change
nothing; duplicated and shuffled pushes store each event once; the status follows the newest
event and a final status is never undone."""

from __future__ import annotations

import datetime
import random
import urllib.parse
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, TestCase
from django.utils import timezone

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.delivery.models import CourierPush, Shipment, TrackingEvent
from onewindow.delivery.sandbox import CourierSandbox
from onewindow.delivery.services import ShipmentSpec, shipment_create, shipments_advance
from onewindow.delivery.tests.conftest import advance

pytestmark = pytest.mark.django_db
PUSH = "/delivery/push/sandbox/"


@pytest.fixture
def courier(sandbox: Any, settings: Any) -> CourierSandbox:
    box, url = sandbox
    settings.DELIVERY_COURIER = "sandbox"
    settings.DELIVERY_SANDBOX_URL = url
    box.config.push_url = "http://testserver" + PUSH
    return box


def book(key: str = "case-9:Ship:1") -> Shipment:
    return shipment_create(
        actor=Actor.system("test"),
        spec=ShipmentSpec(
            key=key,
            recipient="张三",
            phone="13800138000",
            address="广州市天河区天河路100号",
            contents="往来港澳通行证签注",
            case_number="GZ0009",
        ),
    )


def node_form(box: CourierSandbox, shipment: Shipment, index: int) -> dict[str, str]:
    order = box.orders[shipment.order_id]
    node = box.nodes(order, box.clock() + 86400)[index]
    return box.push_form(box.route(order, index, node))


def post(client: Client, form: dict[str, str], *, execute: bool = True) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=execute) as callbacks:
        response: Any = client.post(PUSH, form)
    response.callbacks = callbacks
    return response


def statuses(shipment: Shipment) -> list[str]:
    return list(shipment.events.order_by("at", "pk").values_list("status", flat=True))


def test_signed_push_is_answered_first_and_applied_after_commit(courier: CourierSandbox):
    shipment = book()
    response = post(Client(), node_form(courier, shipment, 0), execute=False)
    assert response.status_code == 200
    assert response.json() == {"return_code": "0000", "return_msg": "成功"}
    push = CourierPush.objects.get()
    assert push.status == "pending" and statuses(shipment) == ["created"]  # nothing applied yet
    assert len(response.callbacks) == 1
    response.callbacks[0]()  # the worker's turn
    push.refresh_from_db()
    shipment.refresh_from_db()
    assert (push.status, push.events_added) == ("applied", 1)
    assert shipment.status == "collected" and statuses(shipment) == ["created", "collected"]
    assert TrackingEvent.objects.get(shipment=shipment, status="collected").source == "push"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda f: {**f, "msgData": f["msgData"].replace('"50"', '"80"')},  # forged: 签收
        lambda f: {k: v for k, v in f.items() if k != "msgDigest"},  # unsigned
        lambda f: {**f, "msgDigest": "IIKJtuLVzoFTu4kHI8M8vA=="},  # someone else's digest
        lambda f: {**f, "partnerID": "SOMEONE-ELSE"},
        lambda f: {},
    ],
)
def test_unsigned_or_forged_push_is_refused_logged_and_changes_nothing(
    courier: CourierSandbox, tamper: Callable[[dict[str, str]], dict[str, str]], caplog: Any
):
    shipment = book()
    before = statuses(shipment)
    response = post(Client(), tamper(node_form(courier, shipment, 0)))
    assert response.status_code == 401 and response.json()["return_code"] != "0000"
    shipment.refresh_from_db()
    assert shipment.status == "created" and statuses(shipment) == before
    assert not CourierPush.objects.exists()
    refusal = AuditEvent.objects.get(action="delivery.push.refuse")
    assert refusal.outcome == "denied" and refusal.changes["carrier"] == "sandbox"
    assert "courier push refused" in caplog.text


def test_push_to_an_unknown_carrier_is_refused():
    response = post(Client(), {"partnerID": "x", "msgData": "{}", "msgDigest": "x"})
    assert response.status_code == 401
    response = Client().post("/delivery/push/no-such-courier/", {"msgData": "{}"})
    assert response.status_code == 401 and not CourierPush.objects.exists()


def test_oversized_push_is_refused(courier: CourierSandbox):
    response = Client().post(PUSH, {"msgData": "x" * 70_000})
    assert response.status_code == 413 and not CourierPush.objects.exists()


def test_the_same_push_twice_is_stored_once_and_answered_both_times(courier: CourierSandbox):
    shipment = book()
    form = node_form(courier, shipment, 0)
    assert post(Client(), form).json()["return_code"] == "0000"
    assert post(Client(), form).json()["return_code"] == "0000"
    assert CourierPush.objects.count() == 1
    again = {**form, "requestID": "another-request-id"}  # a re-sent push with a new id
    assert post(Client(), again).json()["return_code"] == "0000"
    assert statuses(shipment) == ["created", "collected"]


def test_status_follows_the_newest_event_by_time(courier: CourierSandbox):
    shipment = book()
    post(Client(), node_form(courier, shipment, 1))  # 运输中 arrives first …
    post(Client(), node_form(courier, shipment, 0))  # … then the older 已揽收
    shipment.refresh_from_db()
    assert shipment.status == "in_transit"
    assert statuses(shipment) == ["created", "collected", "in_transit"]


def test_a_final_status_is_never_undone_by_a_late_push(courier: CourierSandbox):
    shipment = book()
    post(Client(), node_form(courier, shipment, 3))  # 已签收
    shipment.refresh_from_db()
    assert shipment.status == "delivered"
    for index in (2, 1, 0):  # the older pushes straggle in afterwards
        post(Client(), node_form(courier, shipment, index))
    later = {
        "mailno": shipment.tracking_no,
        "orderid": shipment.order_id,
        "acceptTime": (timezone.now() + datetime.timedelta(days=1))
        .astimezone(datetime.timezone(datetime.timedelta(hours=8)))
        .strftime("%Y-%m-%d %H:%M:%S"),
        "remark": "派送中",
        "opCode": "44",
    }
    post(Client(), courier.push_form(later))  # even a later non-final node
    shipment.refresh_from_db()
    assert shipment.status == "delivered"
    assert statuses(shipment).count("delivered") == 1 and len(statuses(shipment)) == 6


def test_duplicated_and_shuffled_pushes_store_each_event_once(courier: CourierSandbox):
    """The sandbox in its demo mode — two extra copies of every push, held back at random so
    they arrive out of order — pushing into the endpoint until the route is done."""
    client = Client()

    def send(url: str, params: dict[str, str]) -> str:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return client.post(urllib.parse.urlsplit(url).path, params).content.decode()

    courier.sender = send
    courier.config.duplicates = 2
    courier.config.shuffle = True
    courier.rng = random.Random(7)
    courier.config.failure = 1.0  # every delivery fails twice and comes back
    shipment = book()
    sent = 0
    for _step in range(20):
        advance(courier, 30)
        sent += courier.tick()
    order = [p["Body"]["WaybillRoute"][0]["opCode"] for p in courier.pushes_sent]
    assert sent == 3 * 7 and order != sorted(order, key=["50", "30", "44", "70", "99"].index)
    shipment.refresh_from_db()
    assert shipment.status == "returned" and shipment.attempts == 2
    assert statuses(shipment) == [
        "created",
        "collected",
        "in_transit",
        "out_for_delivery",
        "failed",
        "out_for_delivery",
        "failed",
        "returned",
    ]


def test_a_push_for_an_unknown_waybill_is_answered_and_ignored(courier: CourierSandbox):
    form = courier.push_form(
        {
            "mailno": "SF000",
            "orderid": "OWNONE",
            "acceptTime": "2026-01-01 10:00:00",
            "opCode": "50",
        }
    )
    assert post(Client(), form).json()["return_code"] == "0000"
    push = CourierPush.objects.get()
    assert push.status == "ignored" and "SF000" in push.note


def test_the_beat_applies_a_push_whose_task_was_lost(courier: CourierSandbox):
    shipment = book()
    post(Client(), node_form(courier, shipment, 0), execute=False)  # the task never ran
    CourierPush.objects.update(received_at=timezone.now() - datetime.timedelta(minutes=5))
    shipments_advance()
    assert CourierPush.objects.get().status == "applied"
    shipment.refresh_from_db()
    assert shipment.status == "collected"


def test_a_pushing_courier_is_polled_only_when_it_goes_quiet(courier: CourierSandbox, settings):
    shipment = book()
    advance(courier, 61)
    settings.DELIVERY_POLL_QUIET_SECONDS = 3600
    assert shipments_advance() == 0  # booked just now: the pushes will tell
    Shipment.objects.filter(pk=shipment.pk).update(
        updated_at=timezone.now() - datetime.timedelta(hours=2)
    )
    assert shipments_advance() == 1  # quiet for two hours: ask the courier
    shipment.refresh_from_db()
    assert shipment.status == "collected" and shipment.last_polled_at is not None
