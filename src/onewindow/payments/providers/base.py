"""The payment gateway Protocol and the typed data that crosses it."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from onewindow.core.crypto.rsa2 import sign_content

__all__ = ["sign_content"]


class GatewayError(Exception):
    """The gateway could not be reached or answered with an error."""


class SignatureInvalid(Exception):
    """A message claiming to come from the gateway is not signed by it."""


@dataclass(frozen=True)
class PayRequest:
    out_trade_no: str
    amount_fen: int
    subject: str
    notify_url: str
    return_url: str


@dataclass(frozen=True)
class Notification:
    """A verified asynchronous notification."""

    out_trade_no: str
    trade_no: str
    amount_fen: int
    app_id: str
    status: str  # "paid" / "closed" / "waiting"
    notify_id: str
    paid_at: datetime.datetime | None = None


@dataclass(frozen=True)
class RefundRequest:
    out_trade_no: str
    out_request_no: str
    amount_fen: int
    reason: str


@dataclass(frozen=True)
class RefundResult:
    out_request_no: str
    succeeded: bool
    refunded_fen: int
    message: str = ""


@dataclass(frozen=True)
class StatementLine:
    out_trade_no: str
    trade_no: str
    amount_fen: int
    kind: str  # "pay" / "refund"


class PaymentGateway(Protocol):
    name: str
    app_id: str

    def page_url(self, request: PayRequest) -> str: ...

    def verify_notification(self, params: Mapping[str, str]) -> Notification: ...

    def refund(self, request: RefundRequest) -> RefundResult: ...

    def statement(self, day: datetime.date) -> list[StatementLine]: ...


def fen_to_yuan(fen: int) -> str:
    """1500 → '15.00' (the gateways' amount format)."""
    return f"{fen // 100}.{fen % 100:02d}"


# A plain non-negative amount in yuan with at most two decimals, in ASCII digits only:
# str.isdigit() and int() also take other scripts' digits (int("١٥") is 15).
AMOUNT_RE = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,2})?", re.ASCII)


def yuan_to_fen(text: str) -> int:
    """'15.00' → 1500; refuses anything that is not a plain non-negative amount
    (``[0-9]+(\\.[0-9]{1,2})?``, matched whole)."""
    if not isinstance(text, str) or AMOUNT_RE.fullmatch(text) is None:
        raise ValueError(f"not an amount: {text!r}")
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])
