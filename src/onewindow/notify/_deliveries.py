"""Email and WeChat notifications (and pushes held for a digest): a :class:`Delivery` row
first, written in the caller's transaction, then a Celery task after commit, then a
provider call through the base client. Each status change is a conditional UPDATE, so a
task delivered twice, or a retry racing a worker, sends at most once per claim."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from onewindow.core.crypto import blind_index
from onewindow.notify import _routing
from onewindow.notify.messages import clip, message_title, render_body, template_text
from onewindow.notify.models import Delivery
from onewindow.notify.providers import get_provider
from onewindow.notify.providers.base import (
    DeliveryReceipt,
    EmailRequest,
    SendResult,
    WechatRequest,
    client_send,
)

log = logging.getLogger("onewindow.notify")

Status = Delivery.Status
MAX_ATTEMPTS = 5
# A row of either outbox still "queued" this long after its last try, or "sending" this long
# after a worker took it (the worker died), is picked up again by the retry jobs.
QUEUED_STALE_SECONDS = 60
SENDING_STALE_SECONDS = 300


def backoff_seconds(attempt: int) -> int:
    """10 s, 20 s, 40 s, … capped at 10 minutes (as for SMS)."""
    return int(min(600, 10 * 2 ** max(0, attempt - 1)))


def address_index(channel: str, address: str) -> str:
    return blind_index(f"notify-{channel}", address.strip().lower())


def _enqueue(delivery_id: int, countdown: int | None = None) -> None:
    from onewindow.notify.tasks import deliver

    if countdown:
        deliver.apply_async(args=[delivery_id], countdown=countdown)
    else:
        deliver.delay(delivery_id)


def delivery_queue(
    *,
    channel: str,
    address: str,
    template: str,
    params: Mapping[str, object],
    source_key: str,
    user_id: int | None = None,
    language: str = "zh-hans",
    kind: str = "",
    link: str = "",
    fallback_phone: str = "",
    not_before: datetime | None = None,
    hold: bool = False,
) -> tuple[Delivery, bool]:
    """One row for one channel; runs in the caller's transaction. A second call for the
    same channel, address and key returns the first row. ``hold``: kept for the person's
    daily digest instead of being sent."""
    text = template_text(template)
    missing = text.params - set(params)
    if missing:
        raise ValueError(f"template {template!r} needs {sorted(missing)}")
    bidx = address_index(channel, address)
    key = source_key[:200]
    if key:
        existing = Delivery.objects.filter(channel=channel, address_bidx=bidx, source_key=key)
        found = existing.first()
        if found is not None:
            return found, False
    fields = {
        "channel": channel,
        "recipient_id": user_id,
        "address": address.strip(),
        "address_bidx": bidx,
        "fallback_phone": fallback_phone,
        "template": template,
        "params": json.dumps({k: str(params[k]) for k in text.params}, ensure_ascii=False),
        "language": language,
        "kind": kind[:32],
        "link": link[:300],
        "status": Status.HELD if hold else Status.QUEUED,
        "not_before": not_before,
        "source_key": key,
    }
    if key:
        try:
            with transaction.atomic():
                row = Delivery.objects.create(**fields)
        except IntegrityError:
            return Delivery.objects.get(channel=channel, address_bidx=bidx, source_key=key), False
    else:
        row = Delivery.objects.create(**fields)
    if not hold and (not_before is None or not_before <= timezone.now()):
        row_id = row.pk
        transaction.on_commit(lambda: _enqueue(row_id))
    return row, True


def delivery_params(row: Delivery) -> dict[str, str]:
    try:
        value = json.loads(row.params or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _absolute(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return f"{str(settings.LICENCES_PUBLIC_URL).rstrip('/')}/{link.lstrip('/')}"


def email_request(row: Delivery) -> EmailRequest:
    params = delivery_params(row)
    body = render_body(row.template, params, language=row.language)
    link = _absolute(row.link)
    if link:
        more = "Details" if row.language.startswith("en") else "详情"
        body = f"{body}\n\n{more}: {link}"
    sign = settings.SMS_SIGN_NAME
    subject = f"【{sign}】{message_title(row.template, language=row.language)}"
    return EmailRequest(message_id=row.pk, to=row.address, subject=subject, body=body)


def wechat_request(row: Delivery) -> WechatRequest | None:
    """The WeChat message of a row (None: its template fills no WeChat template)."""
    from onewindow.notify._templates import WECHAT_FIELD, WECHAT_FIELD_LIMITS

    text = template_text(row.template)
    if not text.wechat_template_id or not text.wechat_fields:
        return None
    params = delivery_params(row)
    data = {}
    for key, pattern in text.wechat_fields.items():
        match = WECHAT_FIELD.match(key)
        cap = WECHAT_FIELD_LIMITS.get(match.group(1) if match else "", 20)
        limited = {name: clip(params.get(name, ""), text.limit(name)) for name in text.params}
        data[key] = clip(str(pattern).format(**limited), cap)
    return WechatRequest(
        message_id=row.pk,
        openid=row.address,
        template_id=text.wechat_template_id,
        data=data,
        url=_absolute(row.link),
        kind=text.wechat_kind,
    )


def _fall_back_to_sms(row: Delivery, why: str) -> bool:
    """Tell the person by SMS what they refused on WeChat (same source key: at most one)."""
    from onewindow.notify.services import sms_queue

    if not row.fallback_phone:
        return False
    try:
        sms_queue(
            phone=row.fallback_phone,
            template=row.template,
            params=delivery_params(row),
            source_key=row.source_key,
        )
    except Exception:  # a phone that is no mobile number: nothing more to try
        log.warning("notify: no SMS fallback for %s %s (%s)", row.channel, row.pk, why)
        return False
    return True


def delivery_deliver(*, delivery_id: int, provider: object | None = None) -> str:
    """Try to hand one row to its channel's provider. Returns "sent", "retry", "failed",
    "fell_back" or "skipped" (someone else holds the row, it is done, or not due yet)."""
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery_id, status=Status.QUEUED)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    )
    if not claimed:
        return "skipped"
    row = Delivery.objects.get(pk=delivery_id)
    mine = Delivery.objects.filter(pk=row.pk, status=Status.SENDING, claimed_at=now)
    request: EmailRequest | WechatRequest | None
    if row.channel == Delivery.Channel.EMAIL:
        request = email_request(row)
    elif row.channel == Delivery.Channel.WECHAT:
        request = wechat_request(row)
    else:
        request = None
    if request is None:
        fell_back = row.channel == Delivery.Channel.WECHAT and _fall_back_to_sms(
            row, "no WeChat template"
        )
        mine.update(
            status=Status.FELL_BACK if fell_back else Status.FAILED,
            last_error=f"cannot send {row.template} by {row.channel}"[:255],
        )
        return "fell_back" if fell_back else "failed"
    name = _routing.provider_for(row.channel, row.attempts)
    try:
        chosen = provider or get_provider(row.channel, name)
    except Exception as exc:  # misconfigured: retried (an operator may fix the settings)
        attempt_result = SendResult(accepted=False, error=f"provider {name}: {exc}"[:255])
        provider_name = name
    else:
        attempt = client_send(row.channel, chosen, request)
        attempt_result, provider_name = attempt.result, attempt.provider
        _routing.attempt_record(
            channel=row.channel,
            provider=provider_name,
            ok=attempt_result.accepted or not attempt_result.retryable,
            elapsed_ms=attempt.elapsed_ms,
        )
    done = timezone.now()
    result = attempt_result
    if result.accepted:
        mine.update(
            status=Status.DELIVERED if result.delivered else Status.SENT,
            provider=provider_name,
            provider_message_id=result.provider_message_id[:100],
            sent_at=done,
            delivered_at=done if result.delivered else None,
            last_error="",
        )
        return "sent"
    if result.refused:
        fell_back = _fall_back_to_sms(row, result.error)
        mine.update(
            status=Status.FELL_BACK if fell_back else Status.FAILED,
            provider=provider_name,
            last_error=result.error[:255],
        )
        return "fell_back" if fell_back else "failed"
    final = not result.retryable or row.attempts >= MAX_ATTEMPTS
    mine.update(
        status=Status.FAILED if final else Status.QUEUED,
        provider=provider_name,
        last_error=result.error[:255],
    )
    return "failed" if final else "retry"


def stuck_ids(model: Any, *, now: datetime) -> list[int]:
    """The rows of an outbox (``Delivery`` or ``SmsMessage``, whose status values are the
    same) a worker should take again, oldest first, at most 500: a row in sending longer
    than ``SENDING_STALE_SECONDS`` (its worker died) goes back to queued; a queued row is
    due when its quiet hours are over, or when no worker took it within
    ``QUEUED_STALE_SECONDS``."""
    stale_sending = now - timedelta(seconds=SENDING_STALE_SECONDS)
    for found in model.objects.filter(status="sending", claimed_at__lt=stale_sending).values(
        "pk", "claimed_at"
    )[:500]:
        model.objects.filter(
            pk=found["pk"], status="sending", claimed_at=found["claimed_at"]
        ).update(status="queued", last_error="worker lost; re-queued")
    stale_queued = now - timedelta(seconds=QUEUED_STALE_SECONDS)
    return list(
        model.objects.filter(status="queued")
        .filter(
            Q(not_before__isnull=False, not_before__lte=now)
            | Q(not_before__isnull=True, claimed_at__lt=stale_queued)
            | Q(not_before__isnull=True, claimed_at__isnull=True, created_at__lt=stale_queued)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )


def deliveries_retry_pending(*, now: datetime | None = None) -> int:
    """Re-enqueue rows stuck in queued (no worker took them, or their quiet hours are
    over) or in sending (the worker died). Returns how many were enqueued."""
    ids = stuck_ids(Delivery, now=now or timezone.now())
    for delivery_id in ids:
        _enqueue(delivery_id)
    return len(ids)


@dataclass(frozen=True)
class ReceiptCounts:
    applied: int = 0
    repeated: int = 0
    unknown: int = 0


def delivery_receipts_step(
    *, channel: str, provider: str, receipts: Sequence[DeliveryReceipt]
) -> ReceiptCounts:
    """Apply receipts to sent rows (no transaction, no audit row: the caller's use case)."""
    counts = {"applied": 0, "repeated": 0, "unknown": 0}
    now = timezone.now()
    for receipt in receipts:
        rows = Delivery.objects.filter(
            channel=channel, provider=provider, provider_message_id=receipt.provider_message_id
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
        else:
            counts["unknown"] += 1
    return ReceiptCounts(**counts)
