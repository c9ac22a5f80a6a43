"""The Alipay adapter against the platform's documented RSA2 scheme, with signatures computed
here independently, and against a local fake gateway (no internet)."""

from __future__ import annotations

import base64
import datetime
import io
import json
import threading
import urllib.parse
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from onewindow.payments.providers.alipay import AlipayGateway
from onewindow.payments.providers.base import PayRequest, RefundRequest, SignatureInvalid

MERCHANT = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ALIPAY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def documented_sign(params: dict[str, str], key: rsa.RSAPrivateKey, *, drop: set[str]) -> str:
    """Per the open platform docs: drop the signature fields and empty values, sort by key
    (ASCII), join ``k=v`` with ``&``, SHA256withRSA, Base64."""
    pairs = sorted((k, v) for k, v in params.items() if k not in drop and v != "")
    content = "&".join(f"{k}={v}" for k, v in pairs)
    return base64.b64encode(
        key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())
    ).decode()


def gateway(url: str = "http://127.0.0.1:9/gateway.do") -> AlipayGateway:
    return AlipayGateway(
        app_id="2021000000000001",
        private_key=MERCHANT,
        alipay_public_key=ALIPAY.public_key(),
        gateway_url=url,
    )


def async_notify(**changes: str) -> dict[str, str]:
    params = {
        "gmt_create": "2026-11-27 10:00:00",
        "charset": "utf-8",
        "gmt_payment": "2026-11-27 10:00:05",
        "notify_time": "2026-11-27 10:00:06",
        "subject": "签注费",
        "buyer_id": "2088102000000000",
        "invoice_amount": "15.00",
        "version": "1.0",
        "notify_id": "ac05099524730693a8b330c5ecf72da9786",
        "fund_bill_list": '[{"amount":"15.00","fundChannel":"ALIPAYACCOUNT"}]',
        "notify_type": "trade_status_sync",
        "out_trade_no": "OW2026TEST",
        "total_amount": "15.00",
        "trade_status": "TRADE_SUCCESS",
        "trade_no": "2026112722001400000000000001",
        "auth_app_id": "2021000000000001",
        "receipt_amount": "15.00",
        "point_amount": "0.00",
        "app_id": "2021000000000001",
        "buyer_pay_amount": "15.00",
        "seller_id": "2088101000000000",
        **changes,
    }
    params["sign_type"] = "RSA2"
    params["sign"] = documented_sign(params, ALIPAY, drop={"sign", "sign_type"})
    return params


def test_a_notification_signed_as_documented_verifies():
    note = gateway().verify_notification(async_notify())
    assert (note.out_trade_no, note.amount_fen, note.status) == ("OW2026TEST", 1500, "paid")
    assert note.app_id == "2021000000000001"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: p.update(total_amount="0.01"),
        lambda p: p.update(trade_status="TRADE_CLOSED"),
        lambda p: p.update(sign=documented_sign(p, OTHER, drop={"sign", "sign_type"})),
        lambda p: p.update(sign="not-base64!"),
        lambda p: p.pop("sign"),
        lambda p: p.update(sign_type="RSA"),
    ],
)
def test_altered_or_forged_notifications_are_refused(tamper):
    params = async_notify()
    tamper(params)
    with pytest.raises(SignatureInvalid):
        gateway().verify_notification(params)


def test_the_page_pay_url_is_signed_over_every_parameter_but_sign():
    url = gateway().page_url(
        PayRequest(
            out_trade_no="OW1",
            amount_fen=1500,
            subject="签注费",
            notify_url="https://gov.example/payments/notify/alipay/",
            return_url="https://gov.example/r/",
        )
    )
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert params["method"] == "alipay.trade.page.pay" and params["sign_type"] == "RSA2"
    biz = json.loads(params["biz_content"])
    assert biz == {
        "out_trade_no": "OW1",
        "product_code": "FAST_INSTANT_TRADE_PAY",
        "total_amount": "15.00",
        "subject": "签注费",
    }
    content = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign")
    MERCHANT.public_key().verify(
        base64.b64decode(params["sign"]), content.encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    with pytest.raises(InvalidSignature):
        OTHER.public_key().verify(
            base64.b64decode(params["sign"]), content.encode(), padding.PKCS1v15(), hashes.SHA256()
        )


class _Bill(Exception):
    pass


BILL = (
    "#支付宝业务明细查询\n#账号：[20880000000000000156]\n"
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,订单金额（元）,商家实收（元）\n"
    "2026112722001,OW1,交易,签注费,2026-11-27 10:00:00,2026-11-27 10:00:05,15.00,15.00\n"
    "2026112722001,OW1,退款,签注费,2026-11-27 11:00:00,2026-11-27 11:00:01,-5.00,-5.00\n"
    "#-----------------------------------------业务明细列表结束\n"
)


class FakeAlipay(BaseHTTPRequestHandler):
    signer: rsa.RSAPrivateKey = ALIPAY
    seen: list[dict[str, str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        params = dict(urllib.parse.parse_qsl(body))
        FakeAlipay.seen.append(params)
        content = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign")
        name = "alipay_trade_refund_response"
        try:
            MERCHANT.public_key().verify(
                base64.b64decode(params["sign"]),
                content.encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
            biz = json.loads(params["biz_content"])
            if params["method"] == "alipay.data.dataservice.bill.downloadurl.query":
                name = "alipay_data_dataservice_bill_downloadurl_query_response"
                port = self.server.server_port  # type: ignore[attr-defined]
                raise _Bill(f"http://127.0.0.1:{port}/bill.zip?d={biz['bill_date']}")
            node = {
                "code": "10000",
                "msg": "Success",
                "out_trade_no": biz["out_trade_no"],
                "refund_fee": biz["refund_amount"],
                "fund_change": "Y",
            }
        except _Bill as bill:
            node = {"code": "10000", "msg": "Success", "bill_download_url": str(bill)}
        except (InvalidSignature, KeyError):
            node = {"code": "40002", "msg": "Invalid Arguments", "sub_msg": "验签出错"}
        node_text = json.dumps(node, ensure_ascii=False, separators=(",", ":"))
        sign = base64.b64encode(
            self.signer.sign(node_text.encode(), padding.PKCS1v15(), hashes.SHA256())
        ).decode()
        text = f'{{"{name}":{node_text},"sign":"{sign}"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.end_headers()
        self.wfile.write(text.encode())

    def do_GET(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as bundle:
            bundle.writestr("20880000000000000156_20261127_业务明细.csv", BILL.encode("gbk"))
            bundle.writestr("20880000000000000156_20261127_业务明细(汇总).csv", "x".encode("gbk"))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(buffer.getvalue())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_alipay() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), FakeAlipay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/gateway.do"
    server.shutdown()
    FakeAlipay.signer = ALIPAY


def test_refund_through_a_local_fake_gateway(fake_alipay):
    result = gateway(fake_alipay).refund(
        RefundRequest(out_trade_no="OW1", out_request_no="OW1-R1", amount_fen=500, reason="退费")
    )
    assert result.succeeded and result.refunded_fen == 500
    sent = FakeAlipay.seen[-1]
    assert sent["method"] == "alipay.trade.refund"
    assert json.loads(sent["biz_content"])["refund_amount"] == "5.00"


def test_a_refund_answer_not_signed_by_alipay_is_refused(fake_alipay):
    FakeAlipay.signer = OTHER
    with pytest.raises(SignatureInvalid):
        gateway(fake_alipay).refund(
            RefundRequest(out_trade_no="OW1", out_request_no="OW1-R1", amount_fen=500, reason="x")
        )


def test_the_statement_is_the_bill_behind_the_signed_download_url(fake_alipay):
    lines = gateway(fake_alipay).statement(datetime.date(2026, 11, 27))
    assert [(x.out_trade_no, x.amount_fen, x.kind) for x in lines] == [
        ("OW1", 1500, "pay"),
        ("OW1", 500, "refund"),
    ]
    assert FakeAlipay.seen[-1]["method"] == "alipay.data.dataservice.bill.downloadurl.query"
