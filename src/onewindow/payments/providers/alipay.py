"""Alipay open platform adapter (电脑网站支付 ``alipay.trade.page.pay``, async notify,
``alipay.trade.refund``), signed as the platform documents for ``sign_type=RSA2``:
SHA256withRSA (PKCS#1 v1.5) over the parameters sorted by key and joined as
``key=value&...`` — empty values, ``sign`` and ``sign_type`` left out (notify) or only ``sign``
left out (requests) — and the signature Base64-encoded."""

from __future__ import annotations

import csv
import datetime
import io
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from onewindow.core.crypto.rsa2 import (
    AnswerNotSigned,
    UnreadableAnswer,
    load_private_key,
    load_public_key,
    rsa2_verify,
    signed_node,
    signed_request,
)

from .base import (
    GatewayError,
    Notification,
    PayRequest,
    RefundRequest,
    RefundResult,
    SignatureInvalid,
    StatementLine,
    fen_to_yuan,
    sign_content,
    yuan_to_fen,
)
from .sandbox import _notification

GATEWAY_URL = "https://openapi.alipay.com/gateway.do"
__all__ = ["AlipayGateway", "load_private_key", "load_public_key", "rsa2_verify"]


class AlipayGateway:
    name = "alipay"

    def __init__(
        self,
        *,
        app_id: str,
        private_key: rsa.RSAPrivateKey,
        alipay_public_key: rsa.RSAPublicKey,
        gateway_url: str = GATEWAY_URL,
        timeout: float = 10.0,
        now: Any = None,
    ) -> None:
        self.app_id = app_id
        self.private_key = private_key
        self.alipay_public_key = alipay_public_key
        self.gateway_url = gateway_url
        self.timeout = timeout
        self._now = now or (lambda: datetime.datetime.now())

    def _common(self, method: str, biz: dict[str, Any], **extra: str) -> dict[str, str]:
        return signed_request(
            app_id=self.app_id,
            method=method,
            biz=biz,
            timestamp=self._now().strftime("%Y-%m-%d %H:%M:%S"),
            private_key=self.private_key,
            **extra,
        )

    def page_url(self, request: PayRequest) -> str:
        params = self._common(
            "alipay.trade.page.pay",
            {
                "out_trade_no": request.out_trade_no,
                "product_code": "FAST_INSTANT_TRADE_PAY",
                "total_amount": fen_to_yuan(request.amount_fen),
                "subject": request.subject,
            },
            notify_url=request.notify_url,
            return_url=request.return_url,
        )
        return f"{self.gateway_url}?{urllib.parse.urlencode(params)}"

    def verify_notification(self, params: Mapping[str, str]) -> Notification:
        signature = str(params.get("sign", ""))
        if params.get("sign_type") not in (None, "", "RSA2") or not signature:
            raise SignatureInvalid("missing or unsupported signature")
        if not rsa2_verify(sign_content(params), signature, self.alipay_public_key):
            raise SignatureInvalid("RSA2 signature does not verify")
        return _notification(params)

    def refund(self, request: RefundRequest) -> RefundResult:
        params = self._common(
            "alipay.trade.refund",
            {
                "out_trade_no": request.out_trade_no,
                "out_request_no": request.out_request_no,
                "refund_amount": fen_to_yuan(request.amount_fen),
                "refund_reason": request.reason,
            },
        )
        body = urllib.parse.urlencode(params).encode()
        try:
            with urllib.request.urlopen(self.gateway_url, data=body, timeout=self.timeout) as r:  # noqa: S310 — configured gateway URL
                text = r.read().decode("utf-8")
        except OSError as exc:
            raise GatewayError(str(exc)) from exc
        node = self._verified_node(text, "alipay_trade_refund_response")
        ok = node.get("code") == "10000"
        return RefundResult(
            out_request_no=request.out_request_no,
            succeeded=ok,
            refunded_fen=yuan_to_fen(str(node.get("refund_fee", "0"))) if ok else 0,
            message=str(node.get("sub_msg") or node.get("msg") or ""),
        )

    def _verified_node(self, text: str, name: str) -> dict[str, Any]:
        """Responses are signed over the raw JSON text of the ``<method>_response`` node."""
        try:
            return signed_node(text, name, self.alipay_public_key)
        except UnreadableAnswer as exc:
            raise GatewayError("unreadable gateway answer") from exc
        except AnswerNotSigned as exc:
            raise SignatureInvalid("gateway answer not signed by Alipay") from exc

    def statement(self, day: datetime.date) -> list[StatementLine]:
        """``alipay.data.dataservice.bill.downloadurl.query`` (bill_type ``trade``), then the
        zip behind ``bill_download_url``: its 业务明细 CSV (GBK) lists payments and refunds."""
        params = self._common(
            "alipay.data.dataservice.bill.downloadurl.query",
            {"bill_type": "trade", "bill_date": day.isoformat()},
        )
        body = urllib.parse.urlencode(params).encode()
        try:
            with urllib.request.urlopen(self.gateway_url, data=body, timeout=self.timeout) as r:  # noqa: S310 — configured gateway URL
                text = r.read().decode("utf-8")
        except OSError as exc:
            raise GatewayError(str(exc)) from exc
        node = self._verified_node(text, "alipay_data_dataservice_bill_downloadurl_query_response")
        if node.get("code") != "10000" or not node.get("bill_download_url"):
            raise GatewayError(str(node.get("sub_msg") or node.get("msg") or "no bill"))
        url = str(node["bill_download_url"])
        if not url.startswith(("https://", "http://")):
            raise GatewayError("unexpected bill URL")
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as r:  # noqa: S310 — checked scheme
                archive = r.read()
        except OSError as exc:
            raise GatewayError(str(exc)) from exc
        return parse_bill_zip(archive)


def parse_bill_zip(archive: bytes) -> list[StatementLine]:
    lines: list[StatementLine] = []
    try:
        bundle = zipfile.ZipFile(io.BytesIO(archive))
    except zipfile.BadZipFile as exc:
        raise GatewayError("bill is not a zip archive") from exc
    for name in bundle.namelist():
        if "汇总" in name or not name.endswith(".csv"):
            continue
        text = bundle.read(name).decode("gbk", errors="replace")
        rows = [row for row in csv.reader(io.StringIO(text)) if row and not row[0].startswith("#")]
        header = next(
            (i for i, row in enumerate(rows) if "商户订单号" in [c.strip() for c in row]), None
        )
        if header is None:
            continue
        cols = {c.strip(): i for i, c in enumerate(rows[header])}
        amount_col = cols.get("订单金额（元）", cols.get("订单金额(元)"))
        for row in rows[header + 1 :]:
            cells = [c.strip() for c in row]
            if len(cells) <= max(cols.values()) or amount_col is None:
                continue
            kind = cells[cols["业务类型"]] if "业务类型" in cols else "交易"
            amount = cells[amount_col].lstrip("-")
            try:
                fen = yuan_to_fen(amount)
            except ValueError:
                continue
            lines.append(
                StatementLine(
                    out_trade_no=cells[cols["商户订单号"]],
                    trade_no=cells[cols.get("支付宝交易号", 0)],
                    amount_fen=fen,
                    kind="refund" if kind == "退款" else "pay",
                )
            )
    return lines
