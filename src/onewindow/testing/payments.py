"""The sandbox payment gateway's signed notification, as a test sends it for an order (the
payments tests, and any other app's test that needs a case's fee paid)."""

from __future__ import annotations

from typing import Any

from django.test import TestCase

from onewindow.payments.conf import sandbox_key
from onewindow.payments.models import PaymentOrder
from onewindow.payments.providers.sandbox import hmac_sign


def notification(order: PaymentOrder, **changes: str) -> dict[str, str]:
    params = {
        "app_id": "onewindow-demo",
        "notify_id": changes.pop("notify_id", "n-1"),
        "out_trade_no": order.out_trade_no,
        "trade_no": "SBX2026TEST",
        "total_amount": order.amount_yuan,
        "trade_status": "TRADE_SUCCESS",
        "gmt_payment": "2026-11-27 10:00:00",
        "sign_type": "HMAC-SHA256",
        **changes,
    }
    params["sign"] = hmac_sign(params, sandbox_key())
    return params


def post(client: Any, params: dict[str, str], gateway: str = "sandbox") -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(f"/payments/notify/{gateway}/", params)
