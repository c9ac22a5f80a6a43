"""Amounts from the gateways are plain ASCII amounts (a signed ``total_amount=١٥.٠٠`` was
once taken as 15.00), and a notification for a gateway that is named but not configured is
refused with ``fail`` and an audit row, never a server error."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.payments.forms import RefundForm
from onewindow.payments.models import PaymentEvent, PaymentOrder, Receipt
from onewindow.payments.providers.base import yuan_to_fen
from onewindow.payments.sandbox.server import _fen as sandbox_fen
from onewindow.testing.payments import notification, post

REFUSED = [
    "١٥.٠٠",  # Arabic-Indic digits: int() reads them as 15
    "۱۵.۰۰",  # extended Arabic-Indic
    "１５.００",  # full-width
    "15.٠٠",
    " 15.00",
    "15.00\n",
    "15.",
    ".50",
    "15.000",
    "-15.00",
    "+15.00",
    "1_5.00",
    "1e3",
    "",
]


@pytest.mark.parametrize("text", REFUSED)
def test_only_plain_ascii_amounts_are_read(text: str) -> None:
    with pytest.raises(ValueError):
        yuan_to_fen(text)
    with pytest.raises(ValueError):
        sandbox_fen(text)


@pytest.mark.parametrize(
    ("text", "fen"), [("15.00", 1500), ("15", 1500), ("0.5", 50), ("8.88", 888)]
)
def test_plain_amounts_are_read(text: str, fen: int) -> None:
    assert yuan_to_fen(text) == fen == sandbox_fen(text)


@pytest.mark.django_db
def test_a_signed_notification_in_arabic_indic_digits_is_refused(client: Any, order: Any) -> None:
    assert order.amount_fen == 1500
    response = post(client, notification(order, total_amount="١٥.٠٠"))  # correctly signed
    assert (response.status_code, response.content) == (400, b"fail")
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.CREATED and not Receipt.objects.exists()
    assert PaymentEvent.objects.filter(
        outcome="denied", reason="signature: amount unreadable"
    ).exists()
    assert AuditEvent.objects.filter(
        action="payments.callback.refuse", outcome=AuditEvent.Outcome.DENIED
    ).exists()


def test_the_refund_form_takes_ascii_amounts_only() -> None:
    assert RefundForm({"amount": "15.00", "reason": "多收"}).is_valid()
    form = RefundForm({"amount": "١٥.٠٠", "reason": "多收"})
    assert not form.is_valid()
    assert form.errors["amount"] == ["请输入金额，例如 15.00。"]


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_a_notification_for_unconfigured_alipay_is_refused_with_fail(
    client: Any, settings: Any, debug: bool
) -> None:
    """Alipay has no keys here (the demo runs the sandbox): ``fail``, a denied event and an
    audit row, whatever DEBUG is."""
    settings.DEBUG = debug
    client.raise_request_exception = False
    params = {
        "out_trade_no": "OW2026X",
        "total_amount": "15.00",
        "sign": "c2lnbg==",
        "sign_type": "RSA2",
    }
    response = post(client, params, gateway="alipay")
    assert (response.status_code, response.content) == (400, b"fail")
    assert response["Content-Type"].startswith("text/plain")
    event = PaymentEvent.objects.get()
    assert (event.gateway, event.outcome, event.reason) == (
        "alipay",
        "denied",
        "gateway not configured",
    )
    audit = AuditEvent.objects.get(action="payments.callback.refuse")
    assert audit.outcome == AuditEvent.Outcome.DENIED
    assert audit.changes == {"reason": "gateway not configured"}
