"""Telling many people at once (pushes): what :func:`notify_tell` does for each, with the
rows written together and the SMS handed to the broker once for the whole batch."""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import normalize_phone
from onewindow.core.pii import phone_index
from onewindow.notify import _templates
from onewindow.notify._contacts import (
    CHANNEL_EMAIL,
    CHANNEL_INAPP,
    CHANNEL_SMS,
    CHANNEL_WECHAT,
    CHANNELS,
    DEFAULT_CHANNELS,
    preferences_of_many,
)
from onewindow.notify._deliveries import delivery_queue
from onewindow.notify._limits import SendCounts
from onewindow.notify.messages import (
    message_title,
    render_body,
    sms_params_clipped,
    template_text,
)
from onewindow.notify.models import Message, SmsMessage
from onewindow.notify.services import (
    Recipient,
    Told,
    _default_preferences,
    notify_tell,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tell:
    """One person to tell, and what (the arguments :func:`notify_tell` takes for one)."""

    recipient: Recipient
    params: Mapping[str, object]
    source_key: str
    link: str = ""
    channels: Collection[str] | None = None
    reason: str = ""


def notify_tell_batch(
    *,
    tells: Sequence[Tell],
    template: str,
    kind: str,
    quiet_hours: bool = False,
) -> list[Told]:
    """Tell each of ``tells`` as :func:`notify_tell` would, one after the other (the same
    keys, preferences, quiet hours, digest and rate limits, a push counting against the
    limits of those after it), returning what was told to each in their order. The
    preferences, the messages and SMS already made and the sends in the limits' windows
    are read in one query each; the in-app messages and the SMS are written in one
    statement each and the new SMS handed to the broker once, after commit.
    Runs in the caller's transaction and writes no audit row (the caller's use case
    writes one for the batch). Raises like :func:`notify_tell`, before writing anything."""
    if not tells:
        return []
    with _templates.pinned():
        for tell in tells:
            _check(tell, template)
        try:
            with transaction.atomic():
                return _tell_all(tells, template=template, kind=kind, quiet_hours=quiet_hours)
        except IntegrityError:  # a concurrent writer took a key meanwhile: one at a time
            return [
                notify_tell(
                    recipient=t.recipient,
                    template=template,
                    params=t.params,
                    kind=kind,
                    source_key=t.source_key,
                    link=t.link,
                    channels=t.channels,
                    reason=t.reason,
                    quiet_hours=quiet_hours,
                )
                for t in tells
            ]


def _check(tell: Tell, template: str) -> None:
    wanted = DEFAULT_CHANNELS if tell.channels is None else frozenset(tell.channels)
    if wanted - CHANNELS:
        raise ValueError(f"unknown channels {sorted(wanted - CHANNELS)}")
    render_body(template, tell.params)


def _tell_all(tells: Sequence[Tell], *, template: str, kind: str, quiet_hours: bool) -> list[Told]:
    now = timezone.now()
    prefs_of = preferences_of_many([t.recipient.user_id for t in tells if t.recipient.user_id])
    default_quiet = _default_preferences()
    keys = [t.source_key[:200] for t in tells]
    phones: list[str | None] = []  # normalized; None: no mobile number
    for tell in tells:
        try:
            phones.append(normalize_phone(tell.recipient.phone) if tell.recipient.phone else None)
        except ValidationFailed:
            phones.append(None)
    bidxs = [phone_index(p) if p else "" for p in phones]
    messages_made = _messages_made(tells, keys)
    sms_made = _sms_made(bidxs, keys)
    counts: SendCounts | None = None
    if any(t.reason for t in tells):
        counts = SendCounts(
            template=template,
            people=[
                (t.recipient.user_id, b) for t, b in zip(tells, bidxs, strict=True) if t.reason
            ],
            now=now,
        )
    wechat_template = bool(template_text(template).wechat_template_id)
    new_messages: list[Message] = []
    new_sms: list[SmsMessage] = []
    told: list[Told] = []
    for tell, key, phone, bidx in zip(tells, keys, phones, bidxs, strict=True):
        recipient = tell.recipient
        wanted = DEFAULT_CHANNELS if tell.channels is None else frozenset(tell.channels)
        prefs = prefs_of.get(recipient.user_id) if recipient.user_id else None
        if prefs is not None and prefs.chosen:
            allowed = prefs.channels | {CHANNEL_INAPP}
            wanted = allowed if tell.channels is None else wanted & allowed
        language = prefs.language if prefs is not None else "zh-hans"
        push = bool(tell.reason)
        not_before = (prefs or default_quiet).quiet_until(now) if quiet_hours else None
        hold = push and prefs is not None and prefs.digest
        limited = (
            push
            and not hold
            and counts is not None
            and not counts.allowed(user_id=recipient.user_id, bidx=bidx)
        )
        if limited:
            log.warning("notify: %s over a rate limit; in-app only", tell.source_key)
            wanted = wanted & {CHANNEL_INAPP}
        new_message = False
        if recipient.user_id and CHANNEL_INAPP in wanted:
            mine = (recipient.user_id, key)
            if mine not in messages_made:
                messages_made.add(mine)
                new_message = True
                new_messages.append(
                    Message(
                        recipient_id=recipient.user_id,
                        source_key=key,
                        kind=kind[:32],
                        title=message_title(template, language=language),
                        body=render_body(template, tell.params, language=language),
                        link=tell.link[:300],
                        reason=tell.reason[:200],
                    )
                )
        common: dict[str, Any] = {
            "template": template,
            "params": tell.params,
            "source_key": key,
            "user_id": recipient.user_id,
            "language": language,
            "kind": kind,
            "link": tell.link,
            "not_before": not_before,
            "hold": hold,
        }
        new_email = False
        email = recipient.email or (prefs.email if prefs is not None else "")
        if email and CHANNEL_EMAIL in wanted:
            _, new_email = delivery_queue(channel=CHANNEL_EMAIL, address=email, **common)
        new_wechat = False
        openid = recipient.wechat_openid or (prefs.wechat_openid if prefs is not None else "")
        if openid and CHANNEL_WECHAT in wanted:
            if wechat_template:
                _, new_wechat = delivery_queue(
                    channel=CHANNEL_WECHAT,
                    address=openid,
                    fallback_phone=recipient.phone,
                    **common,
                )
            else:  # no WeChat template for it: by SMS instead
                wanted = wanted | {CHANNEL_SMS}
        sms_now = False
        if recipient.phone and CHANNEL_SMS in wanted:
            clipped = sms_params_clipped(template, tell.params)
            if phone is None:  # a phone on record that is no mobile number
                log.warning("notify: phone on record refused for %s; in-app only", key)
            elif hold:
                _, sms_now = delivery_queue(
                    channel=CHANNEL_SMS, address=phone, **(common | {"params": clipped})
                )
            elif not key or (bidx, key) not in sms_made:
                if key:
                    sms_made.add((bidx, key))
                sms_now = True
                new_sms.append(_sms_row(phone, bidx, template, clipped, key, not_before))
        if counts is not None and not hold:
            counts.sent(
                user_id=recipient.user_id,
                bidx=bidx,
                sms=int(sms_now),
                others=int(new_email) + int(new_wechat),
            )
        waits = hold or not_before is not None
        told.append(
            Told(
                message=new_message,
                sms=sms_now,
                email=new_email,
                wechat=new_wechat,
                held=waits and (sms_now or new_email or new_wechat),
                limited=limited,
            )
        )
    if new_messages:
        Message.objects.bulk_create(new_messages)
    if new_sms:
        SmsMessage.objects.bulk_create(new_sms)
        due = [
            row.pk for row in new_sms if row.not_before is None or row.not_before <= timezone.now()
        ]
        if due:
            transaction.on_commit(lambda: _hand_over(due))
    return told


def _sms_row(
    phone: str,
    bidx: str,
    template: str,
    params: Mapping[str, str],
    key: str,
    not_before: Any,
) -> SmsMessage:
    return SmsMessage(
        phone=phone,
        phone_bidx=bidx,
        template=template,
        params=json.dumps({k: str(v) for k, v in params.items()}, ensure_ascii=False),
        status=SmsMessage.Status.QUEUED,
        source_key=key,
        not_before=not_before,
    )


def _messages_made(tells: Sequence[Tell], keys: Sequence[str]) -> set[tuple[int, str]]:
    users = sorted({t.recipient.user_id for t in tells if t.recipient.user_id})
    if not users:
        return set()
    found = Message.objects.filter(recipient_id__in=users, source_key__in=sorted(set(keys)))
    return {(int(u), str(k)) for u, k in found.values_list("recipient_id", "source_key")}


def _sms_made(bidxs: Sequence[str], keys: Sequence[str]) -> set[tuple[str, str]]:
    wanted = sorted({b for b in bidxs if b})
    named = sorted({k for k in keys if k})
    if not wanted or not named:
        return set()
    found = SmsMessage.objects.filter(phone_bidx__in=wanted, source_key__in=named)
    return {(str(b), str(k)) for b, k in found.values_list("phone_bidx", "source_key")}


def _hand_over(message_ids: list[int]) -> None:
    from onewindow.notify.tasks import sms_deliver, sms_deliver_many

    if len(message_ids) == 1:
        sms_deliver.delay(message_ids[0])
    else:
        sms_deliver_many.delay(message_ids)
