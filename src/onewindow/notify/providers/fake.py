"""Fake providers. The fake SMS gateway behaves like a vendor: it accepts a message, answers with a
message id and reports it delivered. Nothing leaves the machine; the demo's SMS outbox page
shows what would have been sent.

For tests it can be told to fail (``failure_rate`` 0..1, or ``fail_next`` sends in a row)
and to be slow (``delay`` seconds). Settings ``SMS_FAKE_FAILURE_RATE`` and
``SMS_FAKE_DELAY_SECONDS`` set the defaults.
"""

from __future__ import annotations

import random
import time
import uuid
from collections import deque
from typing import ClassVar

from django.conf import settings

from onewindow.notify.providers.base import (
    EmailRequest,
    SendResult,
    SmsRequest,
    SmsResult,
    WechatRequest,
)


class FakeSmsProvider:
    name = "fake"

    # What the "gateway" accepted, newest last (process-local; tests read it).
    sent: ClassVar[deque[tuple[str, SmsRequest]]] = deque(maxlen=1000)
    # Class-wide switch for tests: fail this many sends before accepting again.
    fail_next: ClassVar[int] = 0

    def __init__(self, *, failure_rate: float | None = None, delay: float | None = None) -> None:
        self.failure_rate = (
            float(getattr(settings, "SMS_FAKE_FAILURE_RATE", 0.0))
            if failure_rate is None
            else failure_rate
        )
        self.delay = (
            float(getattr(settings, "SMS_FAKE_DELAY_SECONDS", 0.0)) if delay is None else delay
        )

    def send(self, request: SmsRequest) -> SmsResult:
        if self.delay:
            time.sleep(self.delay)
        if FakeSmsProvider.fail_next > 0:
            FakeSmsProvider.fail_next -= 1
            return SmsResult(accepted=False, error="fake gateway: simulated failure")
        if self.failure_rate and random.random() < self.failure_rate:
            return SmsResult(accepted=False, error="fake gateway: simulated failure")
        message_id = f"fake-{uuid.uuid4().hex[:20]}"
        FakeSmsProvider.sent.append((message_id, request))
        return SmsResult(accepted=True, provider_message_id=message_id, delivered=True)

    @classmethod
    def reset(cls) -> None:
        cls.sent.clear()
        cls.fail_next = 0


class FakeEmailProvider:
    """A fake mail server: accepts every message and keeps it (newest last)."""

    name = "fake"

    sent: ClassVar[deque[tuple[str, EmailRequest]]] = deque(maxlen=1000)
    fail_next: ClassVar[int] = 0

    def send(self, request: EmailRequest) -> SendResult:
        if FakeEmailProvider.fail_next > 0:
            FakeEmailProvider.fail_next -= 1
            return SendResult(accepted=False, error="fake mail server: simulated failure")
        message_id = f"<fake-{uuid.uuid4().hex[:20]}@onewindow.invalid>"
        FakeEmailProvider.sent.append((message_id, request))
        return SendResult(accepted=True, provider_message_id=message_id)

    @classmethod
    def reset(cls) -> None:
        cls.sent.clear()
        cls.fail_next = 0


class FakeWechatProvider:
    """A fake WeChat official account: accepts template messages, except to the openids in
    ``refusing`` (who have not subscribed: WeChat's 43101)."""

    name = "fake"

    sent: ClassVar[deque[tuple[str, WechatRequest]]] = deque(maxlen=1000)
    refusing: ClassVar[set[str]] = set()
    fail_next: ClassVar[int] = 0

    def send(self, request: WechatRequest) -> SendResult:
        if request.openid in FakeWechatProvider.refusing:
            return SendResult(
                accepted=False, error="43101: user refuse to accept the msg", refused=True
            )
        if FakeWechatProvider.fail_next > 0:
            FakeWechatProvider.fail_next -= 1
            return SendResult(accepted=False, error="-1: system error (simulated)")
        message_id = str(uuid.uuid4().int % 10**12)
        FakeWechatProvider.sent.append((message_id, request))
        return SendResult(accepted=True, provider_message_id=message_id)

    @classmethod
    def reset(cls) -> None:
        cls.sent.clear()
        cls.refusing = set()
        cls.fail_next = 0
