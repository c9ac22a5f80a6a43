"""Reads for notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from onewindow.core.masking import mask_phone
from onewindow.notify.models import SmsMessage
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
