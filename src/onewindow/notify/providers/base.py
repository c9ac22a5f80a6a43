"""The SMS provider boundary: a Protocol and typed data classes (GOV.UK Notify style)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class SmsRequest:
    message_id: int
    phone: str
    template: str
    params: dict[str, str] = field(default_factory=dict)
    sign_name: str = ""


@dataclass(frozen=True)
class SmsResult:
    accepted: bool
    provider_message_id: str = ""
    error: str = ""
    retryable: bool = True
    # Some gateways (and the fake) confirm delivery to the handset in the send answer itself;
    # the others send a delivery receipt later.
    delivered: bool = False


@dataclass(frozen=True)
class DeliveryReceipt:
    """The carrier's word on one message, relayed by the vendor after the send."""

    provider_message_id: str
    delivered: bool
    code: str = ""
    text: str = ""
    reported_at: datetime | None = None
    our_id: str = ""  # the id we gave the vendor with the message, if it echoes it


class ReceiptFormatError(ValueError):
    """A receipt push that is not in the vendor's format."""


class SmsProvider(Protocol):
    name: str

    def send(self, request: SmsRequest) -> SmsResult: ...


class SmsProviderError(Exception):
    """The provider could not be reached or answered nonsense; the send may be retried."""
