"""Client of the sandbox gateway (``python -m onewindow.payments.sandbox``): HMAC-SHA256 over
the sorted parameter string, compared in constant time."""

from __future__ import annotations

import base64
import csv
import datetime
import hashlib
import hmac
import io
import json
import urllib.parse
import urllib.request
from collections.abc import Mapping

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

STATUS = {"TRADE_SUCCESS": "paid", "TRADE_CLOSED": "closed", "WAIT_BUYER_PAY": "waiting"}


def hmac_sign(params: Mapping[str, str], key: str) -> str:
    digest = hmac.new(key.encode(), sign_content(params).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def hmac_verify(params: Mapping[str, str], key: str) -> bool:
    given = str(params.get("sign", ""))
    return hmac.compare_digest(hmac_sign(params, key).encode(), given.encode())


class SandboxGateway:
    name = "sandbox"

    def __init__(self, *, base_url: str, app_id: str, key: str, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self.key = key
        self.timeout = timeout

    def _signed(self, params: dict[str, str]) -> dict[str, str]:
        params = {**params, "app_id": self.app_id, "sign_type": "HMAC-SHA256"}
        params["sign"] = hmac_sign(params, self.key)
        return params

    def page_url(self, request: PayRequest) -> str:
        params = self._signed(
            {
                "out_trade_no": request.out_trade_no,
                "total_amount": fen_to_yuan(request.amount_fen),
                "subject": request.subject,
                "notify_url": request.notify_url,
                "return_url": request.return_url,
            }
        )
        return f"{self.base_url}/pay?{urllib.parse.urlencode(params)}"

    def verify_notification(self, params: Mapping[str, str]) -> Notification:
        if not hmac_verify(params, self.key):
            raise SignatureInvalid("sandbox signature does not match")
        return _notification(params)

    def _post(self, path: str, params: dict[str, str]) -> dict[str, str]:
        body = urllib.parse.urlencode(self._signed(params)).encode()
        try:
            with urllib.request.urlopen(  # noqa: S310 — configured gateway URL
                f"{self.base_url}{path}", data=body, timeout=self.timeout
            ) as response:
                answer = json.loads(response.read().decode())
        except (OSError, ValueError) as exc:
            raise GatewayError(str(exc)) from exc
        if not hmac_verify(answer, self.key):
            raise SignatureInvalid("sandbox answer not signed")
        return answer

    def refund(self, request: RefundRequest) -> RefundResult:
        answer = self._post(
            "/refund",
            {
                "out_trade_no": request.out_trade_no,
                "out_request_no": request.out_request_no,
                "refund_amount": fen_to_yuan(request.amount_fen),
                "refund_reason": request.reason,
            },
        )
        ok = answer.get("code") == "10000"
        return RefundResult(
            out_request_no=request.out_request_no,
            succeeded=ok,
            refunded_fen=yuan_to_fen(answer.get("refund_fee", "0")) if ok else 0,
            message=answer.get("msg", ""),
        )

    def statement(self, day: datetime.date) -> list[StatementLine]:
        query = urllib.parse.urlencode(self._signed({"bill_date": day.isoformat()}))
        try:
            with urllib.request.urlopen(  # noqa: S310 — configured gateway URL
                f"{self.base_url}/statement?{query}", timeout=self.timeout
            ) as response:
                text = response.read().decode()
                signature = response.headers.get("X-Sandbox-Sign", "")
        except OSError as exc:
            raise GatewayError(str(exc)) from exc
        expected = base64.b64encode(
            hmac.new(self.key.encode(), text.encode(), hashlib.sha256).digest()
        ).decode()
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise SignatureInvalid("statement not signed by the sandbox")
        return parse_statement(text)


def parse_statement(text: str) -> list[StatementLine]:
    rows = csv.DictReader(io.StringIO(text))
    return [
        StatementLine(
            out_trade_no=row["out_trade_no"],
            trade_no=row["trade_no"],
            amount_fen=yuan_to_fen(row["amount"]),
            kind=row["kind"],
        )
        for row in rows
    ]


def _notification(params: Mapping[str, str]) -> Notification:
    try:
        amount = yuan_to_fen(str(params.get("total_amount", "")))
    except ValueError as exc:
        raise SignatureInvalid("amount unreadable") from exc
    paid_at = None
    if params.get("gmt_payment"):
        try:
            paid_at = datetime.datetime.fromisoformat(str(params["gmt_payment"]))
        except ValueError:
            paid_at = None
    return Notification(
        out_trade_no=str(params.get("out_trade_no", "")),
        trade_no=str(params.get("trade_no", "")),
        amount_fen=amount,
        app_id=str(params.get("app_id", "")),
        status=STATUS.get(str(params.get("trade_status", "")), "unknown"),
        notify_id=str(params.get("notify_id", "")),
        paid_at=paid_at,
    )
