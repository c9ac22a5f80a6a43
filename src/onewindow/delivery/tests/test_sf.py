"""The SF Express adapter: the documented msgDigest example, and every call against the
courier sandbox served over HTTP — it checks the digest and answers with the open platform's
envelope and error codes."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from onewindow.delivery.providers import (
    CourierError,
    Party,
    ShipmentRequest,
    SignatureInvalid,
    TrackRef,
)
from onewindow.delivery.providers.sf import SfExpress, java_urlencode, msg_digest, parse_time
from onewindow.delivery.sandbox import CourierSandbox
from onewindow.delivery.sandbox.server import DEV_CHECK_WORD, DEV_PARTNER_ID
from onewindow.delivery.tests.conftest import advance

WINDOW = Party("广州市测试局收件窗口", "020-12345678", "广东省广州市天河区政务服务中心", "440106")
HOME = Party("张三", "13800138000", "广东省广州市越秀区中山路1号", "440104")


def test_digest_reproduces_the_documented_example() -> None:
    # 丰桥's signature documentation: msgData, timestamp and check word of its example.
    msg_data = '{"language":"zh-CN","orderId":"QIAO-20200618-004"}'
    digest = msg_digest(msg_data, "12312334453453", "fjcg5PGKaNpPSHFAZ4QsCOkV71R3zVci")
    assert digest == "IIKJtuLVzoFTu4kHI8M8vA=="


def test_encoding_is_javas_urlencoder() -> None:
    # URLEncoder.encode keeps '*', writes spaces as '+' and escapes '~' (Python would not).
    assert java_urlencode("a b*~+&中") == "a+b*%7E%2B%26%E4%B8%AD"


def adapter(url: str, box: CourierSandbox, **kw: Any) -> SfExpress:
    values: dict[str, Any] = {
        "name": "sandbox",
        "partner_id": DEV_PARTNER_ID,
        "check_word": DEV_CHECK_WORD,
        "url": url,
        "clock": box.clock,
        **kw,
    }
    return SfExpress(**values)


def order(order_id: str = "OWTEST0001", **kw: Any) -> ShipmentRequest:
    values: dict[str, Any] = {
        "key": order_id,
        "order_id": order_id,
        "sender": WINDOW,
        "recipient": HOME,
        "contents": "往来港澳通行证签注",
        **kw,
    }
    return ShipmentRequest(**values)


def ref(order_id: str = "OWTEST0001", tracking_no: str = "") -> TrackRef:
    return TrackRef(
        tracking_no=tracking_no,
        order_id=order_id,
        created_at=datetime.datetime.now(datetime.UTC),
    )


def test_create_sends_the_six_signed_fields_and_gets_a_waybill(sandbox: Any) -> None:
    box, url = sandbox
    seen: list[dict[str, str]] = []
    envelope = box.envelope

    def record(params: dict[str, str]) -> dict[str, Any]:
        seen.append(params)
        return envelope(params)

    box.envelope = record
    waybill = adapter(url, box).create(order())
    assert waybill.startswith("SF") and waybill == box.orders["OWTEST0001"]["waybill"]
    params = seen[0]
    assert set(params) == {
        "partnerID",
        "requestID",
        "serviceCode",
        "timestamp",
        "msgData",
        "msgDigest",
    }
    assert params["serviceCode"] == "EXP_RECE_CREATE_ORDER"
    assert params["msgDigest"] == msg_digest(params["msgData"], params["timestamp"], DEV_CHECK_WORD)
    message = json.loads(params["msgData"])
    sender, recipient = message["contactInfoList"]
    assert (sender["contactType"], sender["tel"]) == (1, "020-12345678")
    assert (recipient["contactType"], recipient["mobile"]) == (2, "13800138000")
    assert recipient["county"] == "越秀区" and message["orderId"] == "OWTEST0001"
    assert "isDocall" not in message


def test_booking_again_finds_the_order_placed_before(sandbox: Any) -> None:
    """A retry after a timeout: the platform answers 8016 重复下单; the adapter asks for the
    order's waybill instead of failing or booking twice."""
    box, url = sandbox
    sf = adapter(url, box)
    first = sf.create(order())
    assert sf.create(order()) == first
    assert len(box.orders) == 1


def test_pickup_order_asks_the_courier_to_come(sandbox: Any) -> None:
    box, url = sandbox
    start = datetime.datetime(2026, 5, 6, 1, 0, tzinfo=datetime.UTC)
    adapter(url, box).create(order("OWPICKUP1", sender=HOME, recipient=WINDOW, pickup_from=start))
    assert box.orders["OWPICKUP1"]["kind"] == "pickup"


def test_routes_come_back_in_order_with_our_statuses(sandbox: Any) -> None:
    box, url = sandbox
    sf = adapter(url, box)
    waybill = sf.create(order())
    assert sf.track(ref(), now=datetime.datetime.now(datetime.UTC)) == []
    advance(box, 60 * 2 + 1)
    updates = sf.track(ref(), now=datetime.datetime.now(datetime.UTC))
    assert [(u.status, u.op_code) for u in updates] == [("collected", "50"), ("in_transit", "30")]
    assert updates[0].at.utcoffset() == datetime.timedelta(hours=8)
    assert updates[0].at < updates[1].at
    by_waybill = sf.track(ref(order_id="", tracking_no=waybill), now=updates[1].at)
    assert [u.status for u in by_waybill] == ["collected", "in_transit"]


def test_cancel_before_collection_is_idempotent_and_refused_after(sandbox: Any) -> None:
    box, url = sandbox
    sf = adapter(url, box)
    sf.create(order("OWCANCEL1"))
    sf.cancel(ref("OWCANCEL1"))
    sf.cancel(ref("OWCANCEL1"))  # 8037 订单已消单: already done, not an error
    assert box.orders["OWCANCEL1"]["cancelled"] is True
    sf.create(order("OWCANCEL2"))
    advance(box, 61)
    with pytest.raises(CourierError) as refused:
        sf.cancel(ref("OWCANCEL2"))
    assert refused.value.code == "SBX001"


def test_platform_error_codes(sandbox: Any) -> None:
    box, url = sandbox
    with pytest.raises(CourierError) as forged:
        adapter(url, box, check_word="not-the-check-word").create(order())
    assert forged.value.code == "A1006"  # 数字签名无效
    with pytest.raises(CourierError) as stranger:
        adapter(url, box, partner_id="SOMEONE").create(order())
    assert stranger.value.code == "A1004"  # 无对应服务权限
    with pytest.raises(CourierError) as unknown:
        adapter(url, box).call("EXP_RECE_NO_SUCH_SERVICE", {})
    assert unknown.value.code == "A1004"
    assert (
        adapter(url, box).track(ref("NO-SUCH-ORDER"), now=parse_time("2026-01-01 00:00:00")) == []
    )
    assert box.orders == {}


def test_business_error_codes(sandbox: Any) -> None:
    box, url = sandbox
    with pytest.raises(CourierError) as missing:
        adapter(url, box).create(order(recipient=Party("张三", "13800138000", "")))
    assert missing.value.code == "1014"  # 到件地址不能为空
    with pytest.raises(CourierError) as no_order:
        adapter(url, box).cancel(ref("NO-SUCH-ORDER"))
    assert no_order.value.code == "6150"  # 找不到该订单


def test_unreachable_courier_is_a_retryable_error(sandbox: Any) -> None:
    box, _url = sandbox
    with pytest.raises(CourierError) as down:
        adapter("http://127.0.0.1:9/std/service", box, timeout=1).create(order())
    assert down.value.retryable


def test_unconfigured_adapter_refuses_to_call() -> None:
    with pytest.raises(CourierError):
        SfExpress(partner_id="", check_word="").create(order())


def test_push_signature_is_verified(sandbox: Any) -> None:
    box, url = sandbox
    sf = adapter(url, box)
    sf.create(order())
    advance(box, 61)
    node = box.nodes(box.orders["OWTEST0001"], box.clock.now)[0]
    form = box.push_form(box.route(box.orders["OWTEST0001"], 0, node))
    receipt = sf.verify_push(form)
    assert [(r.order_id, r.update.status) for r in receipt.routes] == [("OWTEST0001", "collected")]
    forged = {**form, "msgData": form["msgData"].replace("50", "80")}
    with pytest.raises(SignatureInvalid):
        sf.verify_push(forged)
    with pytest.raises(SignatureInvalid):
        sf.verify_push({**form, "partnerID": "SOMEONE"})
    with pytest.raises(SignatureInvalid):
        sf.verify_push({k: v for k, v in form.items() if k != "msgDigest"})
    advance(box, 2 * 86400)  # a push replayed two days later
    with pytest.raises(SignatureInvalid):
        sf.verify_push(form)


def test_digest_is_compared_in_constant_time(sandbox: Any, monkeypatch: Any) -> None:
    from onewindow.core.crypto.digests import constant_time_equal
    from onewindow.delivery.providers import sf as sf_module

    calls: list[tuple[str, str]] = []

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return constant_time_equal(a, b)

    monkeypatch.setattr(sf_module, "constant_time_equal", spy)
    box, url = sandbox
    sf = adapter(url, box)
    form = box.push_form(
        {"mailno": "SF1", "orderid": "O1", "acceptTime": "2026-01-01 10:00:00", "opCode": "50"}
    )
    sf.verify_push(form)
    assert any(form["msgDigest"] in pair for pair in calls)
