"""Email: a Delivery row first, then a task, then Django's SMTP backend, here against a
real SMTP server on this machine (aiosmtpd)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from onewindow.audit.services import Actor
from onewindow.notify import services
from onewindow.notify.models import Delivery, SmsMessage
from onewindow.notify.providers.base import EmailRequest
from onewindow.notify.providers.smtp import SmtpEmailProvider
from onewindow.testing.factories import user_of

pytestmark = pytest.mark.django_db


class Mailbox:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []
        self.refuse: set[str] = set()
        self.busy = False

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        if self.busy:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.received.append((list(envelope.rcpt_tos), bytes(content)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Mailbox]:
    mailbox = Mailbox()
    with socket.socket() as probe:  # a free port for the server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.NOTIFY_EMAIL_PROVIDER = "smtp"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "一网通办 <noreply@gov.example>"
    try:
        yield mailbox
    finally:
        controller.stop()


def header(raw: bytes, name: str) -> str:
    return str(make_header(decode_header(message_from_bytes(raw)[name])))


def body_of(raw: bytes) -> str:
    payload = message_from_bytes(raw).get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8").replace("\r\n", "\n").strip()


PARAMS = {"service": "婚姻登记", "number": "GZ2026120400001"}


def test_a_resident_who_gave_an_email_is_told_by_email_too(
    resident: Any, smtp_server: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    user = user_of(resident)
    services.preferences_update(
        user_id=user.pk,
        actor=Actor.from_user(user),
        email="zhang.san@example.com",
        channels={"inapp", "sms", "email"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        told = services.notify_tell(
            recipient=services.Recipient(user_id=user.pk, phone="13800138000"),
            template="case_submitted",
            params=PARAMS,
            kind="case",
            source_key="case-news:1",
            link="/cases/GZ2026120400001/",
        )
    assert (told.message, told.sms, told.email, told.wechat) == (True, True, True, False)
    ((to, raw),) = smtp_server.received
    assert to == ["zhang.san@example.com"]
    assert header(raw, "Subject") == "【一网通办】申请已提交"
    assert body_of(raw) == (
        "您申请的婚姻登记（办件编号GZ2026120400001）已提交，我们将尽快审核办理。\n\n"
        "详情: http://127.0.0.1:8000/cases/GZ2026120400001/"
    )
    row = Delivery.objects.get(channel="email")
    assert row.status == Delivery.Status.SENT and row.provider == "smtp"
    assert row.provider_message_id == message_from_bytes(raw)["Message-ID"]
    # the same news again: nothing more is written or sent
    with django_capture_on_commit_callbacks(execute=True):
        again = services.notify_tell(
            recipient=services.Recipient(user_id=user.pk, phone="13800138000"),
            template="case_submitted",
            params=PARAMS,
            kind="case",
            source_key="case-news:1",
        )
    assert not (again.message or again.sms or again.email)
    assert len(smtp_server.received) == 1 and SmsMessage.objects.count() == 1


def test_english_readers_get_the_english_text(
    resident: Any, smtp_server: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    user = user_of(resident)
    services.preferences_update(
        user_id=user.pk,
        actor=Actor.from_user(user),
        email="reader@example.com",
        channels={"email"},
        language="en",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_tell(
            recipient=services.Recipient(user_id=user.pk, phone="13800138000"),
            template="case_submitted",
            params=PARAMS,
            kind="case",
            source_key="case-news:2",
        )
    ((_to, raw),) = smtp_server.received
    assert header(raw, "Subject") == "【一网通办】Application submitted"
    assert body_of(raw) == (
        "Your application for 婚姻登记 (case GZ2026120400001) has been submitted; "
        "we will review it soon."
    )
    # SMS is off in the person's preferences; in-app is always on
    assert not SmsMessage.objects.exists()
    assert user.notify_messages.get().title == "Application submitted"


REQUEST = EmailRequest(message_id=7, to="a@example.com", subject="主题", body="正文")


def test_a_refused_mailbox_is_permanent_and_a_busy_server_is_retried(
    smtp_server: Mailbox,
) -> None:
    provider = SmtpEmailProvider()
    smtp_server.refuse = {"a@example.com"}
    refused = provider.send(REQUEST)
    assert not refused.accepted and not refused.retryable
    smtp_server.refuse, smtp_server.busy = set(), True
    busy = provider.send(REQUEST)
    assert not busy.accepted and busy.retryable
    smtp_server.busy = False
    assert provider.send(REQUEST).accepted


def test_an_unreachable_server_is_retried_then_the_row_fails(
    resident: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NOTIFY_EMAIL_PROVIDER = "smtp"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    assert SmtpEmailProvider().send(REQUEST).retryable
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_tell(
            recipient=services.Recipient(user_id=None, email="b@example.com"),
            template="notice",
            params={"text": "测试"},
            kind="notice",
            source_key="n:1",
            channels={"email"},
        )
    row = Delivery.objects.get()
    assert row.status == Delivery.Status.FAILED and row.attempts == 5
    assert row.last_error.startswith("smtp unreachable")


def test_an_invalid_email_is_refused_and_email_needs_an_address(resident: Any) -> None:
    user = user_of(resident)
    actor = Actor.from_user(user)
    with pytest.raises(services.ValidationFailed) as bad:
        services.preferences_update(user_id=user.pk, actor=actor, email="not-an-email")
    assert bad.value.field == "email" and str(bad.value.message) == "请输入有效的电子邮箱地址"
    with pytest.raises(services.ValidationFailed) as none:
        services.preferences_update(user_id=user.pk, actor=actor, channels={"email"})
    assert str(none.value.message) == "开启邮件通知须先填写电子邮箱"


def test_an_email_left_by_a_dead_worker_is_sent_by_the_sweep(
    django_capture_on_commit_callbacks: Any,
) -> None:
    import datetime

    from django.utils import timezone

    from onewindow.notify.providers.fake import FakeEmailProvider

    with django_capture_on_commit_callbacks(execute=False):
        services.notify_tell(
            recipient=services.Recipient(user_id=None, email="c@example.com"),
            template="notice",
            params={"text": "测试"},
            kind="notice",
            source_key="n:2",
            channels={"email"},
        )
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    Delivery.objects.update(status=Delivery.Status.SENDING, claimed_at=long_ago, attempts=1)
    assert services.deliveries_retry_pending() == 1
    row = Delivery.objects.get()
    assert row.status == Delivery.Status.SENT and row.attempts == 2
    assert [r.to for _, r in FakeEmailProvider.sent] == ["c@example.com"]
    assert services.deliveries_retry_pending() == 0
