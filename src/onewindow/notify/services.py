"""Sending SMS. A message is a row first (written in the caller's transaction), then a Celery
task after commit, then a provider call. Each status change is a conditional UPDATE, so a
task delivered twice, or a retry racing a worker, sends at most once per claim."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import normalize_phone
from onewindow.core.numbers import is_ascii_number
from onewindow.core.pii import phone_index
from onewindow.notify import audit_events
from onewindow.notify.messages import NO_REASON as NO_REASON  # for callers composing messages
from onewindow.notify.messages import OUTCOME_TEMPLATES as OUTCOME_TEMPLATES
from onewindow.notify.messages import (
    message_title,
    render_body,
    render_sms_text,
    sms_params_clipped,
    template_params,
)
from onewindow.notify.models import Message, SmsMessage
from onewindow.notify.providers import get_sms_provider
from onewindow.notify.providers.base import (
    DeliveryReceipt,
    SmsProvider,
    SmsProviderError,
    SmsRequest,
    SmsResult,
)

log = logging.getLogger(__name__)

SMS_MAX_ATTEMPTS = 5
# A row still "queued" this long after its last try, or "sending" this long after a worker
# took it (the worker died), is picked up again by ``sms_retry_pending``.
QUEUED_STALE_SECONDS = 60
SENDING_STALE_SECONDS = 300

Status = SmsMessage.Status


def sms_backoff_seconds(attempt: int) -> int:
    """10 s, 20 s, 40 s, … capped at 10 minutes."""
    return int(min(600, 10 * 2 ** max(0, attempt - 1)))


def _enqueue(message_id: int, countdown: int | None = None) -> None:
    from onewindow.notify.tasks import sms_deliver

    if countdown:
        sms_deliver.apply_async(args=[message_id], countdown=countdown)
    else:
        sms_deliver.delay(message_id)


@transaction.atomic
def sms_send(
    *,
    phone: str,
    template: str,
    params: Mapping[str, object],
    actor: Actor | None = None,
    source_key: str = "",
) -> SmsMessage:
    """Queue one SMS. The row is written now; the send happens after commit. With a
    ``source_key``, a second call for the same phone and key returns the first row and
    sends nothing."""
    message, created = sms_queue(
        phone=phone, template=template, params=params, source_key=source_key
    )
    if created:
        audit_record(
            actor=actor or Actor.system("notify"),
            action=audit_events.SMS_QUEUE,
            target=message,
            changes={"template": template},
        )
    return message


def sms_queue(
    *, phone: str, template: str, params: Mapping[str, object], source_key: str = ""
) -> tuple[SmsMessage, bool]:
    """The row of :func:`sms_send` without its audit row, for use cases that audit their
    own work; runs in the caller's transaction. Returns (row, whether it is new)."""
    phone = normalize_phone(phone)
    needed = template_params(template)  # raises UnknownTemplate for a typo in the caller
    missing = needed - set(params)
    if missing:
        raise ValueError(f"template {template!r} needs {sorted(missing)}")
    bidx = phone_index(phone)
    if source_key:
        existing = SmsMessage.objects.filter(phone_bidx=bidx, source_key=source_key).first()
        if existing is not None:
            return existing, False
    fields = {
        "phone": phone,
        "phone_bidx": bidx,
        "template": template,
        "params": json.dumps({k: str(v) for k, v in params.items()}, ensure_ascii=False),
        "status": Status.QUEUED,
        "source_key": source_key,
    }
    if source_key:
        try:
            with transaction.atomic():  # a concurrent twin took the key: use its row
                message = SmsMessage.objects.create(**fields)
        except IntegrityError:
            return SmsMessage.objects.get(phone_bidx=bidx, source_key=source_key), False
    else:
        message = SmsMessage.objects.create(**fields)
    message_id = message.pk
    transaction.on_commit(lambda: _enqueue(message_id))
    return message, True


@dataclass(frozen=True)
class Recipient:
    user_id: int | None  # the account whose message centre gets it (None: no account)
    phone: str = ""  # where the SMS goes ("": no phone on record, in-app only)


@dataclass(frozen=True)
class Told:
    message: bool = False  # a new in-app message was written
    sms: bool = False  # a new SMS row was queued


def outcome_key(case_id: int) -> str:
    """The ``source_key`` of a case's outcome message: one per case and recipient, whoever
    tells it first (the platform's conclusion message or a process's ``notify.send`` step)."""
    return f"case:{case_id}:outcome"


# The channels a notification can go by. ``None`` for a call's channels means the
# platform's default: in-app and SMS.
CHANNEL_INAPP = "inapp"
CHANNEL_SMS = "sms"
CHANNEL_EMAIL = "email"
CHANNEL_WECHAT = "wechat"
CHANNELS = frozenset({CHANNEL_INAPP, CHANNEL_SMS, CHANNEL_EMAIL, CHANNEL_WECHAT})
DEFAULT_CHANNELS = frozenset({CHANNEL_INAPP, CHANNEL_SMS})


def notify_tell(
    *,
    recipient: Recipient,
    template: str,
    params: Mapping[str, object],
    kind: str,
    source_key: str,
    link: str = "",
    channels: Collection[str] | None = None,
    reason: str = "",
) -> Told:
    """Tell one person: an in-app message (if they have an account) and an SMS (if they
    have a phone), both keyed by ``source_key``: a second call with the same key writes and
    sends nothing. ``channels`` narrows where it goes (of :data:`CHANNELS`); ``reason`` is
    the "why you got this" line the message centre shows beside a pushed message. Runs in
    the caller's transaction and writes no audit row (the caller's use case does). Raises
    UnknownTemplate / ValueError for a template, parameter or channel the caller got
    wrong."""
    wanted = DEFAULT_CHANNELS if channels is None else frozenset(channels)
    if wanted - CHANNELS:
        raise ValueError(f"unknown channels {sorted(wanted - CHANNELS)}")
    body = render_body(template, params)
    new_message = False
    if recipient.user_id and CHANNEL_INAPP in wanted:
        _, new_message = Message.objects.get_or_create(
            recipient_id=recipient.user_id,
            source_key=source_key[:200],
            defaults={
                "kind": kind[:32],
                "title": message_title(template),
                "body": body,
                "link": link[:300],
                "reason": reason[:200],
            },
        )
    new_sms = False
    if recipient.phone and CHANNEL_SMS in wanted:
        try:
            _, new_sms = sms_queue(
                phone=recipient.phone,
                template=template,
                params=sms_params_clipped(template, params),
                source_key=source_key[:200],
            )
        except ValidationFailed:  # a phone on record that is no mobile number
            log.warning("notify: phone on record refused for %s; in-app only", source_key)
    return Told(message=new_message, sms=new_sms)


def sms_params(message: SmsMessage) -> dict[str, str]:
    try:
        value = json.loads(message.params or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def sms_text(message: SmsMessage) -> str:
    try:
        return render_sms_text(message.template, sms_params(message))
    except ValueError:
        return ""


def sms_deliver(*, message_id: int, provider: SmsProvider | None = None) -> str:
    """Try to hand one message to the gateway. Returns "sent", "retry", "failed" or
    "skipped" (someone else holds the row, or it is already done)."""
    now = timezone.now()
    claimed = SmsMessage.objects.filter(pk=message_id, status=Status.QUEUED).update(
        status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    if not claimed:
        return "skipped"
    message = SmsMessage.objects.get(pk=message_id)
    provider = provider or get_sms_provider()
    request = SmsRequest(
        message_id=message.pk,
        phone=message.phone,
        template=message.template,
        params=sms_params(message),
        sign_name=settings.SMS_SIGN_NAME,
    )
    started = time.monotonic()
    try:
        result = provider.send(request)
    except SmsProviderError as exc:
        result = SmsResult(accepted=False, error=str(exc) or exc.__class__.__name__)
    except Exception as exc:  # a vendor adapter bug must not leave the row stuck in sending
        log.exception("sms provider %s crashed on message %s", provider.name, message.pk)
        result = SmsResult(accepted=False, error=f"{exc.__class__.__name__}: {exc}")
    elapsed_ms = int((time.monotonic() - started) * 1000)
    log.info(
        "sms %s via %s: accepted=%s in %d ms",
        message.pk,
        provider.name,
        result.accepted,
        elapsed_ms,
    )
    done = timezone.now()
    mine = SmsMessage.objects.filter(pk=message.pk, status=Status.SENDING, claimed_at=now)
    if result.accepted:
        mine.update(
            status=Status.DELIVERED if result.delivered else Status.SENT,
            provider=provider.name,
            provider_message_id=result.provider_message_id[:100],
            sent_at=done,
            delivered_at=done if result.delivered else None,
            last_error="",
        )
        return "sent"
    final = not result.retryable or message.attempts >= SMS_MAX_ATTEMPTS
    mine.update(
        status=Status.FAILED if final else Status.QUEUED,
        provider=provider.name,
        last_error=result.error[:255],
    )
    return "failed" if final else "retry"


@dataclass(frozen=True)
class ReceiptOutcome:
    applied: int = 0  # a sent message is now delivered or failed
    repeated: int = 0  # its message already had its final status: nothing changed
    early: int = 0  # its message is still being handed over (our send has not returned)
    unknown: int = 0  # no message of ours has that id


def sms_receipts_apply(*, provider: str, receipts: Sequence[DeliveryReceipt]) -> ReceiptOutcome:
    """Delivery receipts from a vendor, in one transaction with one audit row. Each moves a
    sent message to delivered or failed once; a receipt repeated, or contradicting the first
    one, changes nothing. A receipt for a message whose send has not returned yet is
    counted as ``early``: the caller asks the vendor to push it again later."""
    counts = {"applied": 0, "repeated": 0, "early": 0, "unknown": 0}
    now = timezone.now()
    with transaction.atomic(durable=True):
        for receipt in receipts:
            rows = SmsMessage.objects.filter(
                provider=provider, provider_message_id=receipt.provider_message_id
            )
            why = f"{receipt.code} {receipt.text}".strip() or "delivery failed (receipt)"
            outcome = (
                {"status": Status.DELIVERED, "delivered_at": receipt.reported_at or now}
                if receipt.delivered
                else {"status": Status.FAILED, "last_error": f"receipt: {why}"[:255]}
            )
            if rows.filter(status=Status.SENT).update(**outcome):
                counts["applied"] += 1
            elif rows.exists():
                counts["repeated"] += 1
            elif (
                is_ascii_number(receipt.our_id)
                and SmsMessage.objects.filter(
                    pk=int(receipt.our_id), status=Status.SENDING
                ).exists()
            ):
                counts["early"] += 1
            else:
                counts["unknown"] += 1
        audit_record(
            actor=Actor.system(f"sms:{provider}"),
            action=audit_events.SMS_RECEIPTS,
            target_type="notify.smsmessage",
            changes={"receipts": len(receipts), **counts},
        )
    return ReceiptOutcome(**counts)


def sms_retry_pending() -> int:
    """Re-enqueue rows stuck in queued (no worker took them) or sending (the worker died).
    Returns how many were enqueued."""
    current = timezone.now()
    stale_sending = current - timedelta(seconds=SENDING_STALE_SECONDS)
    for row in SmsMessage.objects.filter(
        status=Status.SENDING, claimed_at__lt=stale_sending
    ).values("pk", "claimed_at")[:500]:
        SmsMessage.objects.filter(
            pk=row["pk"], status=Status.SENDING, claimed_at=row["claimed_at"]
        ).update(status=Status.QUEUED, last_error="worker lost; re-queued")
    stale_queued = current - timedelta(seconds=QUEUED_STALE_SECONDS)
    ids = list(
        SmsMessage.objects.filter(status=Status.QUEUED)
        .filter(
            Q(claimed_at__lt=stale_queued) | Q(claimed_at__isnull=True, created_at__lt=stale_queued)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
    for message_id in ids:
        _enqueue(message_id)
    return len(ids)


# --- the message centre (站内信): read marks of notify.inbox (steps, no audit row) -----------
from onewindow.notify.inbox import message_mark_read as message_mark_read  # noqa: E402
from onewindow.notify.inbox import messages_mark_all_read as messages_mark_all_read  # noqa: E402
