"""Reads for notifications."""

from __future__ import annotations

from collections.abc import Collection
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


def notify_channels_for(*, user_id: int, kind: str = "", channels: Collection[str]) -> list[str]:
    """Of ``channels``, those the person accepts (in-app always), in the order given."""
    prefs = preferences_of(user_id)
    accepted = prefs.channels | {"inapp"}
    return [channel for channel in channels if channel in accepted]


def quiet_until_for(*, user_id: int | None, now: datetime) -> datetime | None:
    """When the person's quiet hours around ``now`` end (None: not in them); the default
    quiet hours (22:00–08:00) for a person without an account or preferences."""
    if user_id:
        return preferences_of(user_id).quiet_until(now)
    from onewindow.notify._contacts import default_quiet_hours

    start, end = default_quiet_hours()
    return Preferences(user_id=0, quiet_start=start, quiet_end=end).quiet_until(now)


@dataclass(frozen=True)
class ProviderStatus:
    channel: str
    name: str
    priority: int
    active: bool
    degraded: bool
    degraded_reason: str
    attempts: int  # in the failover window
    error_rate: float
    p90_ms: int


def providers_status() -> list[ProviderStatus]:
    """Each provider in the database, in the order tried, with its recent window."""
    from django.utils import timezone

    from onewindow.notify import _routing
    from onewindow.notify.models import ProviderDetail

    now = timezone.now()
    out = []
    for row in ProviderDetail.objects.all():
        seen = _routing.health(row.channel, row.name, now=now)
        out.append(
            ProviderStatus(
                channel=row.channel,
                name=row.name,
                priority=row.priority,
                active=row.active,
                degraded=row.degraded_until is not None and row.degraded_until > now,
                degraded_reason=row.degraded_reason,
                attempts=seen.attempts,
                error_rate=seen.error_rate,
                p90_ms=seen.p90_ms,
            )
        )
    return out


# --- the operators' message log ------------------------------------------------------------

CHANNEL_LABELS: dict[str, str] = {
    "sms": gettext_noop("短信"),
    "email": gettext_noop("邮件"),
    "wechat": gettext_noop("微信"),
}
DELIVERY_STATUS_LABELS: dict[str, str] = {
    **SMS_STATUS_LABELS,
    "held": gettext_noop("待汇总"),
    "digested": gettext_noop("已汇总发送"),
    "fell_back": gettext_noop("已改发短信"),
}


@dataclass(frozen=True)
class LogEntry:
    channel: str
    channel_label: str
    id: int
    masked_address: str
    template: str
    status: str
    status_label: str
    provider: str
    attempts: int
    last_error: str
    created_at: datetime


def _mask_address(channel: str, value: str) -> str:
    if channel == "sms":
        return mask_phone(value)
    if channel == "email":
        name, at, domain = value.partition("@")
        return f"{name[:1]}***{at}{domain}" if at else "***"
    return f"{value[:4]}***" if value else ""


def message_log(
    *,
    address: str = "",
    template: str = "",
    channel: str = "",
    status: str = "",
    limit: int = 100,
) -> list[LogEntry]:
    """The newest notifications sent by SMS, email or WeChat, masked: found by a phone
    number or email address (exactly; they are stored encrypted), a template, a channel or
    a status."""
    from onewindow.core.identifiers import normalize_phone
    from onewindow.core.pii import phone_index
    from onewindow.notify._deliveries import address_index
    from onewindow.notify.models import Delivery

    address = address.strip()
    sms = SmsMessage.objects.all()
    others = Delivery.objects.all()
    if address:
        try:
            phone = normalize_phone(address)
        except Exception:
            phone = ""
        sms = sms.filter(phone_bidx=phone_index(phone)) if phone else sms.none()
        keys = [address_index(c, address) for c in ("email", "wechat")]
        if phone:
            keys.append(address_index("sms", phone))
        others = others.filter(address_bidx__in=keys)
    if template:
        sms, others = sms.filter(template=template), others.filter(template=template)
    if status:
        sms, others = sms.filter(status=status), others.filter(status=status)
    if channel == "sms":
        others = others.filter(channel="sms")
    elif channel in {"email", "wechat"}:
        sms, others = sms.none(), others.filter(channel=channel)
    entries = [
        LogEntry(
            channel="sms",
            channel_label=_(CHANNEL_LABELS["sms"]),
            id=row.pk,
            masked_address=mask_phone(row.phone),
            template=row.template,
            status=row.status,
            status_label=_(DELIVERY_STATUS_LABELS.get(row.status, row.status)),
            provider=row.provider,
            attempts=row.attempts,
            last_error=row.last_error[:120],
            created_at=row.created_at,
        )
        for row in sms.order_by("-created_at", "-pk")[:limit]
    ] + [
        LogEntry(
            channel=row.channel,
            channel_label=_(CHANNEL_LABELS.get(row.channel, row.channel)),
            id=row.pk,
            masked_address=_mask_address(row.channel, row.address),
            template=row.template,
            status=row.status,
            status_label=_(DELIVERY_STATUS_LABELS.get(row.status, row.status)),
            provider=row.provider,
            attempts=row.attempts,
            last_error=row.last_error[:120],
            created_at=row.created_at,
        )
        for row in others.order_by("-created_at", "-pk")[:limit]
    ]
    entries.sort(key=lambda e: (e.created_at, e.id), reverse=True)
    return entries[:limit]


# --- the message centre (站内信): reads of notify.inbox ---------------------------------------
from onewindow.notify.inbox import InboxCounts as InboxCounts  # noqa: E402
from onewindow.notify.inbox import InboxMessage as InboxMessage  # noqa: E402
from onewindow.notify.inbox import inbox_counts as inbox_counts  # noqa: E402
from onewindow.notify.inbox import inbox_message_get as inbox_message_get  # noqa: E402
from onewindow.notify.inbox import inbox_messages as inbox_messages  # noqa: E402
from onewindow.notify.inbox import inbox_unread_count as inbox_unread_count  # noqa: E402
