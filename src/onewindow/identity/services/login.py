"""Logging in: residents by phone + SMS code, staff by password + TOTP.

SMS codes: only an HMAC of the code (bound to the phone) is stored; phone and client IP are
kept as blind indexes, enough to count sends for the rate limits. Only the latest unused code
of a phone counts; a successful login uses up every outstanding code of that phone."""

from __future__ import annotations

import math
import re
import secrets
from datetime import datetime, timedelta
from enum import Enum

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.audit.services import Actor, audit_record, client_ip
from onewindow.core.crypto import blind_index
from onewindow.core.crypto.digests import constant_time_equal
from onewindow.core.errors import ApplicationError, RateLimited, ValidationFailed
from onewindow.core.identifiers import normalize_phone
from onewindow.core.locks import advisory_xact_lock
from onewindow.core.pii import ip_index, phone_index
from onewindow.identity import audit_events
from onewindow.identity.models import AssuranceLevel, Person, SmsLoginCode, User

StrOrPromise = str | Promise
# ASCII digits (\d also matches other scripts' digits), the whole text (no trailing newline).
CODE_RE = re.compile(r"\A[0-9]{6}\Z")
STAFF_KINDS = frozenset({User.Kind.STAFF, User.Kind.OPERATOR})


def _code_hash(phone_bidx: str, code: str) -> str:
    return blind_index("sms-login-code", f"{phone_bidx}:{code}")


def human_wait(seconds: int) -> str:
    """``45秒`` / ``3分钟`` / ``2小时`` (rounded up)."""
    if seconds <= 90:
        return ngettext("%(n)d秒", "%(n)d秒", seconds) % {"n": seconds}
    if seconds < 3600:
        minutes = math.ceil(seconds / 60)
        return ngettext("%(n)d分钟", "%(n)d分钟", minutes) % {"n": minutes}
    hours = math.ceil(seconds / 3600)
    return ngettext("%(n)d小时", "%(n)d小时", hours) % {"n": hours}


def _limit_wait(*, now: datetime, limits: list[tuple[int, int]], **match: str) -> int:
    """Seconds until one more code may be sent under ``limits`` (0: now)."""
    for window, limit in sorted(limits):
        since = now - timedelta(seconds=window)
        recent = list(
            SmsLoginCode.objects.filter(created_at__gt=since, **match)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:limit]
        )
        if len(recent) >= limit:
            frees_at = recent[limit - 1] + timedelta(seconds=window)
            return max(1, math.ceil((frees_at - now).total_seconds()))
    return 0


def _enforce_limits(
    *, now: datetime, limits: list[tuple[int, int]], message: StrOrPromise, **match: str
) -> None:
    wait = _limit_wait(now=now, limits=limits, **match)
    if wait:
        raise RateLimited(message % {"wait": human_wait(wait)}, retry_after=wait, field="phone")


def sms_login_resend_wait(*, phone: str, now: datetime | None = None) -> int:
    """Seconds until another login code may be sent to ``phone`` (0: now): the countdown
    next to 重新获取验证码."""
    try:
        phone = normalize_phone(phone)
    except ValidationFailed:
        return 0
    return _limit_wait(
        now=now or timezone.now(),
        limits=settings.SMS_SEND_LIMITS_PER_PHONE,
        phone_bidx=phone_index(phone),
    )


@transaction.atomic(durable=True)
def sms_login_code_request(*, phone: str, ip: str) -> SmsLoginCode:
    """Send a 6-digit login code to a phone, within the per-phone and per-IP limits."""
    from onewindow.notify.services import sms_send

    phone = normalize_phone(phone)
    phone_bidx, ip_bidx = phone_index(phone), ip_index(ip or "-")
    # Two requests for one phone (or from one address) at the same moment must not both
    # pass the limit: count and insert under a lock for each.
    advisory_xact_lock(f"sms-login:phone:{phone_bidx}")
    advisory_xact_lock(f"sms-login:ip:{ip_bidx}")
    now = timezone.now()
    _enforce_limits(
        now=now,
        limits=settings.SMS_SEND_LIMITS_PER_PHONE,
        phone_bidx=phone_bidx,
        message=_("获取验证码过于频繁，请%(wait)s后再试。"),
    )
    _enforce_limits(
        now=now,
        limits=settings.SMS_SEND_LIMITS_PER_IP,
        ip_bidx=ip_bidx,
        message=_("当前网络获取验证码过于频繁，请%(wait)s后再试。"),
    )
    code = f"{secrets.randbelow(10**6):06d}"
    ttl = int(settings.SMS_CODE_TTL_SECONDS)
    row = SmsLoginCode.objects.create(
        phone_bidx=phone_bidx,
        ip_bidx=ip_bidx,
        code_hash=_code_hash(phone_bidx, code),
        created_at=now,
        expires_at=now + timedelta(seconds=ttl),
    )
    actor = Actor(id=None, kind="anonymous", label="anonymous", ip=ip)
    audit_record(actor=actor, action=audit_events.SMS_CODE_SEND, target=row)
    sms_send(
        phone=phone,
        template="login_code",
        params={"code": code, "minutes": max(1, ttl // 60)},
        actor=actor,
    )
    return row


class _Check(Enum):
    OK = "ok"
    MISSING = "missing"
    EXPIRED = "expired"
    LOCKED = "locked"
    WRONG = "wrong"


def resident_user_new() -> User:
    """A new resident account: a random username, no password (residents log in by SMS
    code). A step: the caller links it to the real-name record and audits that."""
    user = User(username=f"r{secrets.token_hex(8)}", kind=User.Kind.RESIDENT)
    user.set_unusable_password()
    user.save()
    return user


def _resident_for_phone(*, phone: str, phone_bidx: str, actor: Actor) -> tuple[User, bool]:
    person = (
        Person.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(phone_bidx=phone_bidx)
        .first()
    )
    if person is not None and person.user is not None:
        user = person.user
        if user.kind != User.Kind.RESIDENT:
            raise ValidationFailed(
                _("该手机号码属于工作人员账号，请使用工作人员登录。"),
                code="not_resident",
                field="phone",
            )
        if not user.is_active:
            raise ValidationFailed(
                _("该账号已停用，请联系平台客服。"), code="inactive", field="phone"
            )
        return user, False
    user = resident_user_new()
    created = person is None
    if person is None:
        person = Person.objects.create(
            user=user, phone=phone, phone_bidx=phone_bidx, assurance=AssuranceLevel.PHONE
        )
        audit_record(
            actor=actor,
            action=audit_events.PERSON_REGISTER,
            target=person,
            changes={"via": "sms_login", "assurance": int(AssuranceLevel.PHONE)},
        )
    else:
        person.user = user
        person.save(update_fields=["user", "updated_at"])
        audit_record(
            actor=actor,
            action=audit_events.PERSON_LINK_USER,
            target=person,
            changes={"user": user.pk, "via": "sms_login"},
        )
    return user, created


def sms_login_verify(*, phone: str, code: str, ip: str) -> tuple[User, bool]:
    """Check a login code. Returns ``(user, created)``; a new phone gets a new resident
    account at assurance level 1. Wrong tries are counted even though an error is raised."""
    phone = normalize_phone(phone)
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise ValidationFailed(_("请输入6位数字验证码。"), code="code_format", field="code")
    phone_bidx = phone_index(phone)
    max_attempts = int(settings.SMS_CODE_MAX_ATTEMPTS)
    now = timezone.now()
    left = 0
    with transaction.atomic(durable=True):
        row = (
            SmsLoginCode.objects.select_for_update()
            .filter(phone_bidx=phone_bidx, used_at__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        if row is None:
            check = _Check.MISSING
        elif row.expires_at <= now:
            check = _Check.EXPIRED
        elif row.attempts >= max_attempts:
            check = _Check.LOCKED
        elif not constant_time_equal(row.code_hash, _code_hash(phone_bidx, code)):
            SmsLoginCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
            left = max_attempts - row.attempts - 1
            check = _Check.WRONG if left > 0 else _Check.LOCKED
        else:
            used = SmsLoginCode.objects.filter(phone_bidx=phone_bidx, used_at__isnull=True).update(
                used_at=now
            )
            check = _Check.OK if used else _Check.MISSING
        if check is _Check.OK:
            actor = Actor(id=None, kind="anonymous", label="anonymous", ip=ip)
            user, created = _resident_for_phone(phone=phone, phone_bidx=phone_bidx, actor=actor)
            audit_record(
                actor=Actor.from_user(user, ip=ip),
                action=audit_events.LOGIN_SMS,
                target=user,
                changes={"new_account": created},
            )
            return user, created
    if check is _Check.EXPIRED:
        raise ValidationFailed(_("验证码已过期，请重新获取。"), code="code_expired", field="code")
    if check is _Check.LOCKED:
        raise ValidationFailed(
            _("验证码错误次数过多，请重新获取验证码。"), code="code_locked", field="code"
        )
    if check is _Check.WRONG:
        raise ValidationFailed(
            _("验证码不正确，还可以再试%(left)d次。") % {"left": left},
            code="code_wrong",
            field="code",
        )
    raise ValidationFailed(
        _("验证码无效或已使用，请先获取验证码。"), code="code_missing", field="code"
    )


# --- staff -----------------------------------------------------------------------------------


class StaffLoginFailed(ApplicationError):
    status = 400
    code = "login_failed"


def _count_failure(request: HttpRequest, username: str) -> None:
    """Tell django-axes (and anyone else listening) about a failed staff login."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def staff_login_check(
    *, request: HttpRequest, username: str, password: str, token: str
) -> tuple[User, TOTPDevice]:
    """Password (through ``authenticate`` so django-axes counts failures) and then TOTP (a
    wrong code is reported to axes as a failure too). Raises ``StaffLoginFailed``."""
    username = (username or "").strip()
    user = authenticate(request=request, username=username, password=password)
    if user is None or getattr(user, "kind", "") not in STAFF_KINDS:
        if user is not None:
            _count_failure(request, username)
        raise StaffLoginFailed(_("用户名或密码不正确。"), code="bad_credentials")
    device = next(
        (d for d in devices_for_user(user, confirmed=True) if isinstance(d, TOTPDevice)), None
    )
    if device is None:
        from onewindow.identity.services.enrolment import EnrolmentPending, totp_device_pending

        pending = totp_device_pending(user=user)
        if pending is not None:  # reset by an administrator: enrol it now (the login view)
            raise EnrolmentPending(user, pending)
        raise StaffLoginFailed(
            _("您的账号尚未绑定动态口令设备，无法登录。请联系本部门管理员开通。"),
            code="no_device",
        )
    token = (token or "").strip().replace(" ", "")
    if not CODE_RE.match(token):
        _count_failure(request, username)
        raise StaffLoginFailed(_("请输入6位数字动态口令。"), code="token_format", field="token")
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        _count_failure(request, username)
        raise StaffLoginFailed(
            _("动态口令尝试过于频繁，请稍后再试。"), code="token_throttled", field="token"
        )
    if not device.verify_token(token):
        _count_failure(request, username)
        raise StaffLoginFailed(_("动态口令不正确或已过期。"), code="token_wrong", field="token")
    return user, device


@transaction.atomic(durable=True)
def staff_login_record(*, request: HttpRequest, user: User) -> None:
    audit_record(
        actor=Actor.from_user(user, ip=client_ip(request)),
        action=audit_events.LOGIN_STAFF,
        target=user,
    )
