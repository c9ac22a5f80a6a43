"""Reads for notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onewindow.core.masking import mask_phone
from onewindow.notify._contacts import Preferences as Preferences
from onewindow.notify._contacts import preferences_of
from onewindow.notify.models import SmsMessage
from onewindow.notify.services import sms_text

# What a person reads for each state of a text message. The model's choices carry no labels
# of their own (changing them needs a migration), so the page's words live here.
SMS_STATUS_LABELS: dict[str, str] = {
    SmsMessage.Status.QUEUED: gettext_noop("等待发送"),
    SmsMessage.Status.SENDING: gettext_noop("发送中"),
    SmsMessage.Status.SENT: gettext_noop("已发送"),
    SmsMessage.Status.DELIVERED: gettext_noop("已送达"),
    SmsMessage.Status.FAILED: gettext_noop("发送失败"),
}


def sms_status_label(status: str) -> str:
    label = SMS_STATUS_LABELS.get(status)
    return _(label) if label else status


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
            status_label=sms_status_label(row.status),
            created_at=row.created_at,
        )
        for row in rows
    ]


def preferences_for(*, user_id: int) -> Preferences:
    """How the person wants to be told: their email, whether WeChat is bound, the channels
    on, quiet hours, digest and language (the defaults if they never chose)."""
    return preferences_of(user_id)
