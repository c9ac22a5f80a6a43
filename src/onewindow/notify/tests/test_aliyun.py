"""The Aliyun SMS adapter, against the vendor's documented signature example and a local
HTTP server that behaves like the gateway (checks the signature, answers as the vendor does)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

from onewindow.notify.providers.aliyun import AliyunSmsProvider, sign
from onewindow.notify.providers.base import SmsProviderError, SmsRequest

SECRET = "gateway-secret"


def test_signature_matches_the_vendors_documented_example():
    # Parameters and result from the vendor's signature documentation (GET variant).
    params = {
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "AccessKeyId": "testId",
        "SignatureVersion": "1.0",
        "Timestamp": "2017-07-12T02:42:19Z",
        "Format": "XML",
        "Action": "SendSms",
        "Version": "2017-05-25",
        "RegionId": "cn-hangzhou",
        "PhoneNumbers": "15300000001",
        "SignName": "阿里云短信测试专用",
        "TemplateParam": '{"customer":"test"}',
        "TemplateCode": "SMS_71390007",
        "OutId": "123",
    }
    assert sign(params, "testSecret", "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


class FakeGateway(BaseHTTPRequestHandler):
    received: list[dict[str, str]] = []
    answer: dict[str, str] | None = None

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        params = dict(parse_qsl(self.rfile.read(length).decode()))
        FakeGateway.received.append(params)
        signature = params.pop("Signature", "")
        if signature != sign(params, SECRET):
            body = {
                "Code": "SignatureDoesNotMatch",
                "Message": "Specified signature is not matched",
            }
        elif FakeGateway.answer is not None:
            body = FakeGateway.answer
        else:
            body = {
                "Code": "OK",
                "Message": "OK",
                "BizId": "900619746936498440^0",
                "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990",
            }
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    FakeGateway.received, FakeGateway.answer = [], None
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _provider(endpoint: str, secret: str = SECRET) -> AliyunSmsProvider:
    return AliyunSmsProvider(
        access_key_id="LTAI-test",
        access_key_secret=secret,
        endpoint=endpoint,
        templates={"login_code": "SMS_123456"},
        timeout=2,
    )


REQUEST = SmsRequest(
    message_id=42,
    phone="13800138000",
    template="login_code",
    params={"code": "123456", "minutes": "5"},
    sign_name="一网通办",
)


def test_send_is_signed_and_accepted(gateway: str):
    result = _provider(gateway).send(REQUEST)
    assert result.accepted and result.provider_message_id == "900619746936498440^0"
    sent = FakeGateway.received[0]
    assert sent["PhoneNumbers"] == "13800138000"
    assert sent["TemplateCode"] == "SMS_123456"
    assert json.loads(sent["TemplateParam"]) == {"code": "123456", "minutes": "5"}
    assert sent["SignName"] == "一网通办" and sent["OutId"] == "42"


def test_wrong_secret_is_rejected_by_the_gateway_and_not_retried(gateway: str):
    result = _provider(gateway, secret="wrong").send(REQUEST)
    assert not result.accepted and not result.retryable
    assert result.error.startswith("SignatureDoesNotMatch")


def test_vendor_rate_limit_is_retryable(gateway: str):
    FakeGateway.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"}
    result = _provider(gateway).send(REQUEST)
    assert not result.accepted and result.retryable


def test_illegal_number_is_permanent(gateway: str):
    FakeGateway.answer = {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}
    result = _provider(gateway).send(REQUEST)
    assert not result.accepted and not result.retryable


def test_unreachable_gateway_raises_a_retryable_provider_error():
    with pytest.raises(SmsProviderError):
        _provider("http://127.0.0.1:1/").send(REQUEST)
