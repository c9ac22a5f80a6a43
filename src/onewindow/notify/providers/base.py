"""The provider boundary of every channel: Protocols and typed data classes, and the base
client that wraps each vendor's send with timing, metrics and a structured log line
(GOV.UK Notify's ``app/clients`` habit)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

log = logging.getLogger("onewindow.notify.providers")


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
    # The person has refused this channel (WeChat 43101: no subscription): tell them by SMS.
    refused: bool = False


# One answer type for every channel's send.
SendResult = SmsResult


@dataclass(frozen=True)
class EmailRequest:
    message_id: int
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class WechatRequest:
    """A WeChat official-account message: a template message (模板消息) or a subscription
    message (订阅通知, ``kind="subscribe"``), with the template's fields filled."""

    message_id: int
    openid: str
    template_id: str
    data: dict[str, str] = field(default_factory=dict)
    url: str = ""
    kind: str = "template"


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


ProviderError = SmsProviderError


class EmailProvider(Protocol):
    name: str

    def send(self, request: EmailRequest) -> SendResult: ...


class WechatProvider(Protocol):
    name: str

    def send(self, request: WechatRequest) -> SendResult: ...


@dataclass(frozen=True)
class Attempt:
    """What the base client saw of one send: the vendor's answer and how long it took."""

    channel: str
    provider: str
    result: SendResult
    elapsed_ms: int


def _metrics() -> tuple[Any, Any] | None:
    global _METRICS
    if _METRICS is None:
        try:
            from prometheus_client import Counter, Histogram
        except ImportError:  # pragma: no cover - prometheus_client ships with django-prometheus
            return None
        _METRICS = (
            Counter(
                "onewindow_notify_sends_total",
                "Sends handed to a notification provider, by outcome",
                ["channel", "provider", "outcome"],
            ),
            Histogram(
                "onewindow_notify_send_seconds",
                "Time a notification provider took to answer a send",
                ["channel", "provider"],
            ),
        )
    return _METRICS


_METRICS: tuple[Any, Any] | None = None


def client_send(channel: str, provider: Any, request: Any) -> Attempt:
    """Hand one request to ``provider`` and never raise: a provider error or an adapter bug
    becomes a retryable failed result. Times the call, counts it in the metrics and writes
    one structured log line (channel, provider, message id, outcome, milliseconds)."""
    name = str(getattr(provider, "name", provider.__class__.__name__))
    started = time.monotonic()
    try:
        result = provider.send(request)
    except SmsProviderError as exc:
        result = SendResult(accepted=False, error=str(exc) or exc.__class__.__name__)
    except Exception as exc:  # a vendor adapter bug must not leave the row stuck in sending
        log.exception("%s provider %s crashed on message %s", channel, name, request.message_id)
        result = SendResult(accepted=False, error=f"{exc.__class__.__name__}: {exc}"[:255])
    elapsed_ms = int((time.monotonic() - started) * 1000)
    outcome = (
        "accepted"
        if result.accepted
        else "refused"
        if result.refused
        else "retryable"
        if result.retryable
        else "permanent"
    )
    metrics = _metrics()
    if metrics is not None:
        metrics[0].labels(channel, name, outcome).inc()
        metrics[1].labels(channel, name).observe(elapsed_ms / 1000)
    log.info(
        "%s %s via %s: %s in %d ms",
        channel,
        request.message_id,
        name,
        outcome,
        elapsed_ms,
        extra={
            "notify_channel": channel,
            "notify_provider": name,
            "notify_message_id": request.message_id,
            "notify_outcome": outcome,
            "notify_elapsed_ms": elapsed_ms,
            "notify_error": result.error[:120],
        },
    )
    return Attempt(channel=channel, provider=name, result=result, elapsed_ms=elapsed_ms)
