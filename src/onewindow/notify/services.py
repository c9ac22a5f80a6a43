"""Sending SMS. A message is a row first (written in the caller's transaction), then a Celery
task after commit, then a provider call. Each status change is a conditional UPDATE, so a
task delivered twice, or a retry racing a worker, sends at most once per claim."""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import normalize_phone
from onewindow.core.numbers import is_ascii_number
from onewindow.core.pii import phone_index
from onewindow.notify import _routing, _templates, audit_events
from onewindow.notify._contacts import (
    CHANNEL_EMAIL as CHANNEL_EMAIL,
)
from onewindow.notify._contacts import (
    CHANNEL_INAPP as CHANNEL_INAPP,
)
from onewindow.notify._contacts import (
    CHANNEL_SMS as CHANNEL_SMS,
)
from onewindow.notify._contacts import (
    CHANNEL_WECHAT as CHANNEL_WECHAT,
)
from onewindow.notify._contacts import (
    CHANNELS as CHANNELS,
)
from onewindow.notify._contacts import (
    DEFAULT_CHANNELS as DEFAULT_CHANNELS,
)
from onewindow.notify._contacts import (
    LANGUAGES,
    Preferences,
    default_quiet_hours,
    preferences_of,
)
from onewindow.notify._deliveries import (
    backoff_seconds as backoff_seconds,
)
from onewindow.notify._deliveries import (
    deliveries_retry_pending as deliveries_retry_pending,
)
from onewindow.notify._deliveries import (
    delivery_deliver as delivery_deliver,
)
from onewindow.notify._deliveries import delivery_queue, delivery_receipts_step, stuck_ids
from onewindow.notify._limits import SendCounts
from onewindow.notify.messages import NO_REASON as NO_REASON  # for callers composing messages
from onewindow.notify.messages import OUTCOME_TEMPLATES as OUTCOME_TEMPLATES
from onewindow.notify.messages import (
    message_title,
    render_body,
    render_sms_text,
    sms_params_clipped,
    template_params,
    template_text,
)
from onewindow.notify.models import Contact, Delivery, Message, SmsMessage
from onewindow.notify.providers import get_sms_provider
from onewindow.notify.providers.base import (
    DeliveryReceipt,
    SmsProvider,
    SmsRequest,
    client_send,
)

log = logging.getLogger(__name__)

SMS_MAX_ATTEMPTS = 5

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
    *,
    phone: str,
    template: str,
    params: Mapping[str, object],
    source_key: str = "",
    not_before: datetime | None = None,
) -> tuple[SmsMessage, bool]:
    """The row of :func:`sms_send` without its audit row, for use cases that audit their
    own work; runs in the caller's transaction. Returns (row, whether it is new).
    ``not_before``: held until then (quiet hours); the retry job sends it."""
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
        "not_before": not_before,
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
    if not_before is None or not_before <= timezone.now():
        transaction.on_commit(lambda: _enqueue(message_id))
    return message, True


@dataclass(frozen=True)
class Recipient:
    user_id: int | None  # the account whose message centre gets it (None: no account)
    phone: str = ""  # where the SMS goes ("": no phone on record, in-app only)
    # Addresses the caller knows; otherwise those the person gave notify (preferences).
    email: str = ""
    wechat_openid: str = ""


@dataclass(frozen=True)
class Told:
    message: bool = False  # a new in-app message was written
    sms: bool = False  # a new SMS row was queued
    email: bool = False  # a new email row was queued
    wechat: bool = False  # a new WeChat row was queued
    held: bool = False  # something new waits: for the person's quiet hours or daily digest
    limited: bool = False  # a push over a rate limit: in-app only


def outcome_key(case_id: int) -> str:
    """The ``source_key`` of a case's outcome message: one per case and recipient, whoever
    tells it first (the platform's conclusion message or a process's ``notify.send`` step)."""
    return f"case:{case_id}:outcome"


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
    quiet_hours: bool = False,
) -> Told:
    """Tell one person: an in-app message (if they have an account), an SMS (if they have
    a phone), an email and a WeChat message (if they gave notify an address and allow the
    channel), all keyed by ``source_key``: a second call with the same key writes and sends
    nothing. ``channels`` narrows where it goes (of :data:`CHANNELS`; ``None``: in-app and
    SMS, and the channels the person turned on); a person's preferences narrow it further
    (in-app is never turned off). ``reason`` is the "why you got this" line the message
    centre shows beside a pushed message. ``quiet_hours``: the SMS, email and WeChat
    message wait for the end of the person's quiet hours (22:00–08:00 unless they chose
    others; a caller that times its pushes itself leaves it False and may read them with
    ``selectors.quiet_until_for``). A push (a call with a ``reason``) goes into the
    person's daily digest if they chose one, and is held to the per-recipient and
    per-template limits (over them: in-app only). A WeChat message the person refused is
    sent by SMS.
    Runs in the caller's transaction and writes no audit row (the caller's use case does).
    Raises UnknownTemplate / ValueError for a template, parameter or channel the caller got
    wrong. Many people at once: :func:`notify_tell_batch`."""
    with _templates.pinned():
        return _tell(
            recipient=recipient,
            template=template,
            params=params,
            kind=kind,
            source_key=source_key,
            link=link,
            channels=channels,
            reason=reason,
            quiet_hours=quiet_hours,
        )


def _tell(
    *,
    recipient: Recipient,
    template: str,
    params: Mapping[str, object],
    kind: str,
    source_key: str,
    link: str,
    channels: Collection[str] | None,
    reason: str,
    quiet_hours: bool,
) -> Told:
    wanted = DEFAULT_CHANNELS if channels is None else frozenset(channels)
    if wanted - CHANNELS:
        raise ValueError(f"unknown channels {sorted(wanted - CHANNELS)}")
    render_body(template, params)  # the caller's template and parameters, checked first
    prefs = preferences_of(recipient.user_id) if recipient.user_id else None
    if prefs is not None and prefs.chosen:
        allowed = prefs.channels | {CHANNEL_INAPP}
        wanted = allowed if channels is None else wanted & allowed
    language = prefs.language if prefs is not None else "zh-hans"
    push = bool(reason)
    quiet = prefs or _default_preferences()
    not_before = quiet.quiet_until(timezone.now()) if quiet_hours else None
    hold = push and prefs is not None and prefs.digest
    key = source_key[:200]
    limited = push and not hold and not push_allowed(recipient=recipient, template=template)
    if limited:
        log.warning("notify: %s over a rate limit; in-app only", source_key)
        wanted = wanted & {CHANNEL_INAPP}
    new_message = False
    if recipient.user_id and CHANNEL_INAPP in wanted:
        _, new_message = Message.objects.get_or_create(
            recipient_id=recipient.user_id,
            source_key=key,
            defaults={
                "kind": kind[:32],
                "title": message_title(template, language=language),
                "body": render_body(template, params, language=language),
                "link": link[:300],
                "reason": reason[:200],
            },
        )
    common: dict[str, Any] = {
        "template": template,
        "params": params,
        "source_key": key,
        "user_id": recipient.user_id,
        "language": language,
        "kind": kind,
        "link": link,
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
        if template_text(template).wechat_template_id:
            _, new_wechat = delivery_queue(
                channel=CHANNEL_WECHAT, address=openid, fallback_phone=recipient.phone, **common
            )
        else:  # no WeChat template for it: by SMS instead
            wanted = wanted | {CHANNEL_SMS}
    new_sms = False
    if recipient.phone and CHANNEL_SMS in wanted:
        try:
            clipped = sms_params_clipped(template, params)
            if hold:
                _, new_sms = delivery_queue(
                    channel=CHANNEL_SMS,
                    address=normalize_phone(recipient.phone),
                    **(common | {"params": clipped}),
                )
            else:
                _, new_sms = sms_queue(
                    phone=recipient.phone,
                    template=template,
                    params=clipped,
                    source_key=key,
                    not_before=not_before,
                )
        except ValidationFailed:  # a phone on record that is no mobile number
            log.warning("notify: phone on record refused for %s; in-app only", source_key)
    waits = hold or not_before is not None
    return Told(
        message=new_message,
        sms=new_sms,
        email=new_email,
        wechat=new_wechat,
        held=waits and (new_sms or new_email or new_wechat),
        limited=limited,
    )


def _default_preferences() -> Preferences:
    start, end = default_quiet_hours()
    return Preferences(user_id=0, quiet_start=start, quiet_end=end)


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
    """Try to hand one message to the gateway (the provider the priority and failover
    choose; a retry goes to the next one). Returns "sent", "retry", "failed" or "skipped"
    (someone else holds the row, it is already done, or its quiet hours are not over)."""
    now = timezone.now()
    claimed = (
        SmsMessage.objects.filter(pk=message_id, status=Status.QUEUED)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    )
    if not claimed:
        return "skipped"
    message = SmsMessage.objects.get(pk=message_id)
    mine = SmsMessage.objects.filter(pk=message.pk, status=Status.SENDING, claimed_at=now)
    name = _routing.provider_for(CHANNEL_SMS, message.attempts)
    try:
        chosen = provider or get_sms_provider(name)
    except Exception as exc:  # misconfigured: kept and retried (an operator may fix it)
        log.error("sms provider %s unusable: %s", name, exc)
        final = message.attempts >= SMS_MAX_ATTEMPTS
        mine.update(
            status=Status.FAILED if final else Status.QUEUED,
            provider=name,
            last_error=f"provider {name}: {exc}"[:255],
        )
        return "failed" if final else "retry"
    request = SmsRequest(
        message_id=message.pk,
        phone=message.phone,
        template=message.template,
        params=sms_params(message),
        sign_name=settings.SMS_SIGN_NAME,
    )
    attempt = client_send(CHANNEL_SMS, chosen, request)
    result = attempt.result
    _routing.attempt_record(
        channel=CHANNEL_SMS,
        provider=attempt.provider,
        ok=result.accepted or not result.retryable,
        elapsed_ms=attempt.elapsed_ms,
    )
    done = timezone.now()
    if result.accepted:
        mine.update(
            status=Status.DELIVERED if result.delivered else Status.SENT,
            provider=attempt.provider,
            provider_message_id=result.provider_message_id[:100],
            sent_at=done,
            delivered_at=done if result.delivered else None,
            last_error="",
        )
        return "sent"
    final = not result.retryable or message.attempts >= SMS_MAX_ATTEMPTS
    mine.update(
        status=Status.FAILED if final else Status.QUEUED,
        provider=attempt.provider,
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


def sms_retry_pending(*, now: datetime | None = None) -> int:
    """Re-enqueue rows stuck in queued (no worker took them, or their quiet hours are
    over) or sending (the worker died). Returns how many were enqueued."""
    ids = stuck_ids(SmsMessage, now=now or timezone.now())
    for message_id in ids:
        _enqueue(message_id)
    return len(ids)


# --- preferences ---------------------------------------------------------------------------


class _Unset:
    pass


UNSET: Any = _Unset()


def preferences_update(
    *,
    user_id: int,
    actor: Actor,
    email: str = UNSET,
    wechat_openid: str = UNSET,
    channels: Collection[str] = UNSET,
    quiet_start: time | None = UNSET,
    quiet_end: time | None = UNSET,
    digest: bool = UNSET,
    language: str = UNSET,
) -> Preferences:
    """Change how one person is told; what is not passed stays as it is. ``channels`` of
    :data:`CHANNELS` (in-app is always on); ``quiet_start``/``quiet_end`` both a time or
    both None (no quiet hours); an empty ``email`` or ``wechat_openid`` removes it.
    Raises ValidationFailed (with the field) for an address, channel or hour refused."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email
    from django.utils.translation import gettext_lazy as _

    with transaction.atomic(durable=True):
        current = preferences_of(user_id)
        row, _created = Contact.objects.select_for_update().get_or_create(
            user_id=user_id,
            defaults={
                "channels": sorted(current.channels),
                "quiet_start": current.quiet_start,
                "quiet_end": current.quiet_end,
            },
        )
        changed: list[str] = []
        if email is not UNSET:
            email = str(email).strip()
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    raise ValidationFailed(_("请输入有效的电子邮箱地址"), field="email") from None
            if email != row.email:
                row.email, changed = email, [*changed, "email"]
        if wechat_openid is not UNSET:
            openid = str(wechat_openid).strip()
            if openid and (
                len(openid) > 64 or not openid.replace("-", "").replace("_", "").isalnum()
            ):
                raise ValidationFailed(_("微信绑定信息无效"), field="wechat_openid")
            if openid != row.wechat_openid:
                row.wechat_openid, changed = openid, [*changed, "wechat_openid"]
        if channels is not UNSET:
            chosen = frozenset(channels)
            if chosen - CHANNELS:
                raise ValidationFailed(_("不支持的通知渠道"), field="channels")
            chosen = chosen | {CHANNEL_INAPP}
            if sorted(chosen) != sorted(row.channels):
                row.channels, changed = sorted(chosen), [*changed, "channels"]
        start = row.quiet_start if quiet_start is UNSET else quiet_start
        end = row.quiet_end if quiet_end is UNSET else quiet_end
        if (start is None) != (end is None):
            raise ValidationFailed(_("免打扰时段须同时填写开始和结束时间"), field="quiet_start")
        if (start, end) != (row.quiet_start, row.quiet_end):
            row.quiet_start, row.quiet_end, changed = start, end, [*changed, "quiet_hours"]
        if digest is not UNSET and bool(digest) != row.digest:
            row.digest, changed = bool(digest), [*changed, "digest"]
        if language is not UNSET:
            if language not in LANGUAGES:
                raise ValidationFailed(_("不支持的语言"), field="language")
            if language != row.language:
                row.language, changed = language, [*changed, "language"]
        chosen_channels = frozenset(row.channels)
        if CHANNEL_EMAIL in chosen_channels and not row.email:
            raise ValidationFailed(_("开启邮件通知须先填写电子邮箱"), field="channels")
        if CHANNEL_WECHAT in chosen_channels and not row.wechat_openid:
            raise ValidationFailed(_("开启微信通知须先绑定微信"), field="channels")
        row.save()
        audit_record(
            actor=actor,
            action=audit_events.PREFERENCES_UPDATE,
            target=row,
            changes={"changed": changed},
        )
    return preferences_of(user_id)


# --- templates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateFields:
    """What an operator edits of a template."""

    params: tuple[str, ...]
    title: str
    body: str
    title_en: str = ""
    body_en: str = ""
    limits: Mapping[str, int] | None = None
    wechat_template_id: str = ""
    wechat_kind: str = "template"
    wechat_fields: Mapping[str, str] | None = None


def template_problems(*, code: str, fields: TemplateFields) -> dict[str, list[str]]:
    """What stops a template from being saved, by field (empty: nothing)."""
    return _templates.problems(
        code=code,
        params=fields.params,
        title=fields.title,
        body=fields.body,
        title_en=fields.title_en,
        body_en=fields.body_en,
        limits=fields.limits,
        wechat_template_id=fields.wechat_template_id,
        wechat_fields=fields.wechat_fields,
        sign_name=settings.SMS_SIGN_NAME,
    )


def template_save(*, code: str, fields: TemplateFields, actor: Actor) -> None:
    """Create or change a template. Refused (ValidationFailed, one FieldError per problem)
    when a variable is not a declared parameter, a declared parameter is not used, the
    English text's variables differ, or the worst case exceeds a channel's limit (the SMS
    length, a WeChat field's type): a template is refused when saved, not when sent."""
    from onewindow.core.errors import FieldError
    from onewindow.notify.models import Template

    found = template_problems(code=code, fields=fields)
    if found:
        errors = [
            FieldError(code="template", message=message, field=where)
            for where, messages in found.items()
            for message in messages
        ]
        raise ValidationFailed(errors[0].message, field=errors[0].field, errors=errors)
    values = {
        "params": sorted({p.strip() for p in fields.params if p.strip()}),
        "limits": {k: int(v) for k, v in (fields.limits or {}).items()},
        "title": fields.title.strip(),
        "body": fields.body.strip(),
        "title_en": fields.title_en.strip(),
        "body_en": fields.body_en.strip(),
        "wechat_template_id": fields.wechat_template_id.strip(),
        "wechat_kind": fields.wechat_kind if fields.wechat_kind == "subscribe" else "template",
        "wechat_fields": dict(fields.wechat_fields or {}),
    }
    with transaction.atomic(durable=True):
        row, created = Template.objects.update_or_create(code=code, defaults=values)
        audit_record(
            actor=actor,
            action=audit_events.TEMPLATE_SAVE,
            target=row,
            changes={"created": created, "params": values["params"]},
        )
        transaction.on_commit(_templates.forget)


def templates_sync(*, actor: Actor | None = None) -> int:
    """Write a row for every built-in template that has none (an operator's edits are
    kept). Returns how many rows were written."""
    from onewindow.notify.models import Template

    with transaction.atomic(durable=True):
        have = set(Template.objects.values_list("code", flat=True))
        builtin = _templates._builtin()
        missing = [text for code, text in builtin.items() if code not in have]
        Template.objects.bulk_create(
            [
                Template(
                    code=text.code,
                    params=sorted(text.params),
                    title=text.title,
                    body=text.body,
                    title_en=text.title_en,
                    body_en=text.body_en,
                )
                for text in missing
            ]
        )
        if missing:
            audit_record(
                actor=actor or Actor.system("notify"),
                action=audit_events.TEMPLATES_SYNC,
                target_type="notify.template",
                changes={"written": sorted(text.code for text in missing)},
            )
            transaction.on_commit(_templates.forget)
    return len(missing)


# --- email and WeChat ------------------------------------------------------------------------


def delivery_receipts_apply(
    *, channel: str, provider: str, receipts: Sequence[DeliveryReceipt]
) -> ReceiptOutcome:
    """Delivery receipts (WeChat's TEMPLATESENDJOBFINISH events), in one transaction with
    one audit row; each moves a sent row to delivered or failed once."""
    with transaction.atomic(durable=True):
        counts = delivery_receipts_step(channel=channel, provider=provider, receipts=receipts)
        audit_record(
            actor=Actor.system(f"{channel}:{provider}"),
            action=audit_events.DELIVERY_RECEIPTS,
            target_type="notify.delivery",
            changes={
                "receipts": len(receipts),
                "applied": counts.applied,
                "repeated": counts.repeated,
                "unknown": counts.unknown,
            },
        )
    return ReceiptOutcome(applied=counts.applied, repeated=counts.repeated, unknown=counts.unknown)


# --- providers: priority and failover ------------------------------------------------------


def provider_priority_set(
    *, channel: str, name: str, priority: int, active: bool = True, actor: Actor
) -> None:
    """Put a provider of ``channel`` in the order providers are tried (lower first) or take
    it out (``active`` False). Raises ValidationFailed for a provider notify has no adapter
    for."""
    from django.utils.translation import gettext_lazy as _

    from onewindow.notify.models import ProviderDetail
    from onewindow.notify.providers import KNOWN

    if name not in KNOWN.get(channel, ()):
        raise ValidationFailed(_("没有这个通知渠道服务商"), field="name")
    if not 0 <= priority <= 1000:
        raise ValidationFailed(_("优先级须在0到1000之间"), field="priority")
    with transaction.atomic(durable=True):
        row, created = ProviderDetail.objects.update_or_create(
            channel=channel, name=name, defaults={"priority": priority, "active": active}
        )
        audit_record(
            actor=actor,
            action=audit_events.PROVIDER_PRIORITY_SET,
            target=row,
            changes={"priority": priority, "active": active, "created": created},
        )


def providers_check(*, now: datetime | None = None) -> list[_routing.Change]:
    """The failover check (celery beat, every minute): providers that got slow or failing
    go to the back, recovered ones come back; one audit row when anything moved."""
    with transaction.atomic(durable=True):
        changes = _routing.providers_check(now=now)
        if changes:
            audit_record(
                actor=Actor.system("notify"),
                action=audit_events.PROVIDER_FAILOVER,
                target_type="notify.providerdetail",
                changes={
                    "changes": [
                        {"channel": c.channel, "provider": c.provider, "what": c.what, "why": c.why}
                        for c in changes
                    ]
                },
            )
    return changes


# --- the daily digest --------------------------------------------------------------------------

DIGEST_TITLES_MAX = 60


def digest_send(*, now: datetime | None = None) -> int:
    """Send each person who chose a digest one message per channel with what was held for
    them (celery beat, daily): "您今天有3条新消息：…". The held rows become ``digested``.
    Returns how many digests were queued."""
    from onewindow.notify.messages import clip

    current = now or timezone.now()
    day = timezone.localdate(current).isoformat()
    sent = 0
    with transaction.atomic(durable=True):
        held = list(
            Delivery.objects.select_for_update()
            .filter(status=Delivery.Status.HELD)
            .order_by("recipient_id", "channel", "created_at")
        )
        groups: dict[tuple[int | None, str, str], list[Delivery]] = {}
        for row in held:
            groups.setdefault((row.recipient_id, row.channel, row.address_bidx), []).append(row)
        for (user_id, channel, _bidx), rows in groups.items():
            first = rows[0]
            titles = "、".join(
                dict.fromkeys(message_title(r.template, language=r.language) for r in rows)
            )
            params = {"count": str(len(rows)), "titles": clip(titles, DIGEST_TITLES_MAX)}
            key = f"digest:{day}:{user_id or first.address_bidx[:16]}"
            if channel == CHANNEL_SMS:
                try:
                    _, created = sms_queue(
                        phone=first.address, template="digest", params=params, source_key=key
                    )
                except ValidationFailed:
                    created = False
            elif channel == CHANNEL_WECHAT and first.fallback_phone:
                _, created = sms_queue(
                    phone=first.fallback_phone, template="digest", params=params, source_key=key
                )
            else:
                _, created = delivery_queue(
                    channel=channel,
                    address=first.address,
                    template="digest",
                    params=params,
                    source_key=key,
                    user_id=user_id,
                    language=first.language,
                    kind="digest",
                )
            sent += int(created)
            Delivery.objects.filter(pk__in=[r.pk for r in rows]).update(
                status=Delivery.Status.DIGESTED, sent_at=current
            )
        if groups:
            audit_record(
                actor=Actor.system("notify"),
                action=audit_events.DIGEST_SEND,
                target_type="notify.delivery",
                changes={"digests": sent, "held": len(held)},
            )
    return sent


# --- rate limits -------------------------------------------------------------------------------


def push_allowed(*, recipient: Recipient, template: str) -> bool:
    """Whether a push may go out by SMS, email or WeChat now: fewer than the limits of
    ``NOTIFY_LIMITS_PER_RECIPIENT`` were sent to the person, and of
    ``NOTIFY_LIMITS_PER_TEMPLATE`` with the template, in each window (seconds, at most).
    A push over a limit is written in-app only."""
    bidx = _phone_bidx(recipient.phone)
    counts = SendCounts(template=template, people=[(recipient.user_id, bidx)], now=timezone.now())
    return counts.allowed(user_id=recipient.user_id, bidx=bidx)


def _phone_bidx(phone: str) -> str:
    try:
        return phone_index(normalize_phone(phone)) if phone else ""
    except ValidationFailed:
        return ""


# --- the message centre (站内信): read marks of notify.inbox (steps, no audit row) -----------
# --- many people at once (pushes): notify._batch ---------------------------------------------
from onewindow.notify._batch import Tell as Tell  # noqa: E402
from onewindow.notify._batch import notify_tell_batch as notify_tell_batch  # noqa: E402
from onewindow.notify.inbox import message_mark_read as message_mark_read  # noqa: E402
from onewindow.notify.inbox import messages_mark_all_read as messages_mark_all_read  # noqa: E402
