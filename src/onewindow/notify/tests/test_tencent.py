"""The Tencent Cloud SMS adapter: the vendor's documented TC3-HMAC-SHA256 example, and a
local server that checks each request's signature the way the vendor does (its own
implementation, from the vendor's steps) and answers as the vendor does."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from onewindow.notify import services
from onewindow.notify.models import SmsMessage
from onewindow.notify.providers.base import ProviderError, SmsRequest
from onewindow.notify.providers.tencent import TencentSmsProvider, parse_receipts, tc3_authorization

SECRET_ID, SECRET_KEY = "AKIDtest", "tencent-secret"


def test_signature_matches_the_vendors_documented_example() -> None:
    # The CVM DescribeInstances example of the vendor's "Signature v3" page.
    payload = (
        b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    )
    header = tc3_authorization(
        secret_id="AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        secret_key="Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        service="cvm",
        host="cvm.tencentcloudapi.com",
        payload=payload,
        timestamp=1551113065,
    )
    assert header == (
        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/"
        "tc3_request, SignedHeaders=content-type;host, "
        "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    )


def vendor_signature_ok(headers: Any, body: bytes) -> bool:
    """The server side of TC3-HMAC-SHA256, written from the vendor's steps."""
    auth = headers.get("Authorization", "")
    try:
        algorithm, rest = auth.split(" ", 1)
        parts = dict(p.strip().split("=", 1) for p in rest.split(","))
        secret_id, date, service, terminator = parts["Credential"].split("/")
    except ValueError:
        return False
    timestamp = headers.get("X-TC-Timestamp", "")
    if algorithm != "TC3-HMAC-SHA256" or secret_id != SECRET_ID or terminator != "tc3_request":
        return False
    if datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d") != date:
        return False
    if abs(time.time() - int(timestamp)) > 300:
        return False
    canonical = (
        f"POST\n/\n\ncontent-type:{headers['Content-Type']}\nhost:{headers['Host']}\n\n"
        f"{parts['SignedHeaders']}\n{hashlib.sha256(body).hexdigest()}"
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = (
        f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    )
    key = ("TC3" + SECRET_KEY).encode()
    for part in (date, service, "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("Signature", ""))


class FakeTencent(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    answer: dict[str, Any] | None = None
    mode = ""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if FakeTencent.mode == "slow":
            time.sleep(1.5)
        if FakeTencent.mode == "garbage":
            payload = b"\x00\xffnot json"
        else:
            request = json.loads(body)
            FakeTencent.received.append({"headers": dict(self.headers), "body": request})
            if not vendor_signature_ok(self.headers, body):
                reply: dict[str, Any] = {
                    "Error": {"Code": "AuthFailure.SignatureFailure", "Message": "签名错误"},
                    "RequestId": "r-1",
                }
            elif FakeTencent.answer is not None:
                reply = FakeTencent.answer
            else:
                reply = {
                    "SendStatusSet": [
                        {
                            "SerialNo": "5000:1045710669157053657849499619",
                            "PhoneNumber": request["PhoneNumberSet"][0],
                            "Fee": 1,
                            "SessionContext": request["SessionContext"],
                            "Code": "Ok",
                            "Message": "send success",
                            "IsoCode": "CN",
                        }
                    ],
                    "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279",
                }
            payload = json.dumps({"Response": reply}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    FakeTencent.received, FakeTencent.answer, FakeTencent.mode = [], None, ""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTencent)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def provider(endpoint: str, secret: str = SECRET_KEY, timeout: float = 2) -> TencentSmsProvider:
    return TencentSmsProvider(
        secret_id=SECRET_ID,
        secret_key=secret,
        app_id="1400006666",
        endpoint=endpoint,
        templates={"login_code": "449739", "case_submitted": "449740"},
        timeout=timeout,
    )


REQUEST = SmsRequest(
    message_id=42,
    phone="13800138000",
    template="case_submitted",
    params={"number": "GZ2026120400001", "service": "婚姻登记"},
    sign_name="一网通办",
)


def test_send_is_signed_and_accepted(gateway: str) -> None:
    result = provider(gateway).send(REQUEST)
    assert result.accepted and result.provider_message_id == "5000:1045710669157053657849499619"
    sent = FakeTencent.received[0]
    assert sent["body"] == {
        "PhoneNumberSet": ["+8613800138000"],
        "SmsSdkAppId": "1400006666",
        "SignName": "一网通办",
        "TemplateId": "449740",
        "TemplateParamSet": ["婚姻登记", "GZ2026120400001"],  # in the order the text uses them
        "SessionContext": "42",
    }
    assert sent["headers"]["X-TC-Action"] == "SendSms"
    assert sent["headers"]["X-TC-Version"] == "2021-01-11"


def test_a_wrong_secret_is_refused_and_not_retried(gateway: str) -> None:
    result = provider(gateway, secret="wrong").send(REQUEST)
    assert not result.accepted and not result.retryable
    assert result.error.startswith("AuthFailure.SignatureFailure")


def test_the_vendors_rate_limit_is_retried_and_a_bad_number_is_not(gateway: str) -> None:
    def status(code: str) -> dict[str, Any]:
        return {"SendStatusSet": [{"SerialNo": "", "Code": code, "Message": "x"}], "RequestId": "r"}

    FakeTencent.answer = status("LimitExceeded.PhoneNumberThirtySecondLimit")
    limited = provider(gateway).send(REQUEST)
    assert not limited.accepted and limited.retryable
    FakeTencent.answer = status("InvalidParameterValue.IncorrectPhoneNumber")
    wrong = provider(gateway).send(REQUEST)
    assert not wrong.accepted and not wrong.retryable


def test_garbage_and_slowness_are_provider_errors(gateway: str) -> None:
    FakeTencent.mode = "garbage"
    with pytest.raises(ProviderError, match="garbage"):
        provider(gateway).send(REQUEST)
    FakeTencent.mode = "slow"
    with pytest.raises(ProviderError, match="unreachable"):
        provider(gateway, timeout=0.5).send(REQUEST)


TOKEN = "t" * 40


@pytest.mark.django_db
def test_status_callbacks_mark_messages_delivered_or_failed(settings: Any) -> None:
    settings.SMS_RECEIPT_TOKEN = TOKEN
    rows = []
    for sid in ("sid-1", "sid-2"):
        row = services.sms_send(
            phone="13800138000", template="login_code", params={"code": "1", "minutes": "5"}
        )
        SmsMessage.objects.filter(pk=row.pk).update(
            status=SmsMessage.Status.SENT, provider="tencent", provider_message_id=sid
        )
        rows.append(row)
    push = [
        {
            "user_receive_time": "2026-12-04 10:00:07",
            "nationcode": "86",
            "mobile": "13800138000",
            "report_status": "SUCCESS",
            "errmsg": "DELIVRD",
            "description": "用户短信送达成功",
            "sid": "sid-1",
        },
        {
            "user_receive_time": "2026-12-04 10:00:09",
            "nationcode": "86",
            "mobile": "13800138000",
            "report_status": "FAIL",
            "errmsg": "MK:0001",
            "description": "空号",
            "sid": "sid-2",
        },
    ]
    answer = Client().post(
        f"/notify/receipts/tencent/{TOKEN}/", json.dumps(push), content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json() == {"result": 0, "errmsg": "OK"}
    statuses = dict(SmsMessage.objects.values_list("provider_message_id", "status"))
    assert statuses == {"sid-1": "delivered", "sid-2": "failed"}
    assert "MK:0001 空号" in SmsMessage.objects.get(provider_message_id="sid-2").last_error
    (receipt,) = parse_receipts(json.dumps(push[0]).encode())
    assert receipt.reported_at == datetime(2026, 12, 4, 2, 0, 7, tzinfo=UTC)
