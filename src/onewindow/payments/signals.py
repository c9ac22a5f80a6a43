"""What the payments app tells the apps above it.

``payment_received`` is sent inside the transaction that applies a gateway's (or a
statement's) word that a fee order was paid, once per order, with ``payment=`` a
:class:`PaymentReceived`. Receivers run in that transaction."""

from __future__ import annotations

from dataclasses import dataclass

from django.dispatch import Signal

payment_received = Signal()


@dataclass(frozen=True)
class PaymentReceived:
    out_trade_no: str
    subject: str
    amount_yuan: str
    case_id: int
    case_number: str
    applicant_user_id: int  # the account that applied (a company's case: its agent's)
