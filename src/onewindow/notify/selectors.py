"""Reads for notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from onewindow.core.masking import mask_phone
from onewindow.notify.models import Message, SmsMessage
from onewindow.notify.services import sms_text


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    masked_phone: str
    text: str
    status: str
    status_label: str
    created_at: datetime


def sms_outbox_recent(*, limit: int = 50) -> list[OutboxEntry]:
    rows = SmsMessage.objects.order_by("-created_at", "-pk")[:limit]
    return [
        OutboxEntry(
            id=row.pk,
            masked_phone=mask_phone(row.phone),
            text=sms_text(row),
            status=row.status,
            status_label=SmsMessage.Status(row.status).label,
            created_at=row.created_at,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class InboxMessage:
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read: bool


def messages_for_user(*, user_id: int, limit: int = 50) -> list[InboxMessage]:
    """The user's message centre, newest first."""
    rows = Message.objects.filter(recipient_id=user_id).order_by("-created_at", "-pk")[:limit]
    return [
        InboxMessage(
            id=row.pk,
            kind=row.kind,
            title=row.title,
            body=row.body,
            link=row.link,
            created_at=row.created_at,
            read=row.read_at is not None,
        )
        for row in rows
    ]


def messages_unread_count(*, user_id: int) -> int:
    return Message.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
