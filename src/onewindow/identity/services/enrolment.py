"""Staff authenticator enrolment (动态口令开通).

A department administrator (``identity.change_staff`` in the staff member's department or one
above it) or a platform operator resets a staff member's authenticator: every device they had
stops working and an unconfirmed one is made. The administrator never sees its secret: the
staff member, at their next login with their password, is shown the QR code and proves they
scanned it with a current code; only then is the device confirmed and the login completed.
An enrolment not completed within ``ENROLMENT_WINDOW`` has to be reset again."""

from __future__ import annotations

import base64
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.audit.services import Actor, Outcome, audit_record
from onewindow.core.errors import NotFound, ValidationFailed
from onewindow.identity import audit_events
from onewindow.identity.models import Staff, User
from onewindow.identity.services.login import CODE_RE

ENROLMENT_WINDOW = timedelta(hours=72)
PENDING_NAME = "pending"


class EnrolmentPending(Exception):
    """The password was right and the account waits for its authenticator to be enrolled."""

    def __init__(self, user: User, device: TOTPDevice) -> None:
        super().__init__("authenticator enrolment pending")
        self.user = user
        self.device = device


class StaffNotFound(NotFound):
    code = "staff_not_found"

    def __init__(self) -> None:
        super().__init__(_("没有找到该工作人员，或您无权管理。"))


def _pending_devices() -> QuerySet[TOTPDevice]:
    """Authenticators reset and not yet enrolled, within the enrolment window."""
    since = timezone.now() - ENROLMENT_WINDOW
    return TOTPDevice.objects.filter(confirmed=False, name=PENDING_NAME, created_at__gte=since)


def totp_device_pending(*, user: User) -> TOTPDevice | None:
    """The user's authenticator waiting to be enrolled, if any."""
    return _pending_devices().filter(user_id=user.pk).order_by("-pk").first()


def secret_text(device: TOTPDevice) -> str:
    """The device's key as the Base32 text authenticator apps accept, in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def staff_totp_reset(*, actor_user: User, staff: Staff, ip: str = "") -> Staff:
    """Reset a staff member's authenticator (see the module). Staff outside the actor's
    departments answer like unknown ones; the refusal is audited."""
    from onewindow.identity.selectors import staff_manageable_department_ids

    actor = Actor.from_user(actor_user, ip=ip)
    scope = staff_manageable_department_ids(actor_user)
    if scope is not None and staff.department_id not in scope:
        with transaction.atomic(durable=True):  # committed before the error
            audit_record(
                actor=actor,
                action=audit_events.STAFF_TOTP_RESET,
                target=staff,
                outcome=Outcome.DENIED,
                changes={"reason": "outside the actor's departments"},
            )
        raise StaffNotFound()
    with transaction.atomic(durable=True):
        removed = TOTPDevice.objects.filter(user_id=staff.user_id).delete()[0]
        TOTPDevice.objects.create(user_id=staff.user_id, name=PENDING_NAME, confirmed=False)
        audit_record(
            actor=actor,
            action=audit_events.STAFF_TOTP_RESET,
            target=staff,
            changes={"devices_removed": removed},
        )
    return staff


def staff_totp_confirm(*, user_id: int, device_id: int, token: str, ip: str = "") -> TOTPDevice:
    """The staff member proves the pending authenticator works: a current 6-digit code
    confirms it. A wrong code changes nothing (django-otp throttles repeated failures)."""
    with transaction.atomic(durable=True):
        device = (
            _pending_devices()
            .select_for_update()
            .select_related("user")
            .filter(pk=device_id, user_id=user_id)
            .first()
        )
        if device is None:
            raise ValidationFailed(
                _("动态口令开通已失效，请联系本部门管理员重新开通。"),
                code="enrolment_expired",
                field="token",
            )
        allowed, _details = device.verify_is_allowed()
        token = (token or "").strip().replace(" ", "")
        ok = bool(allowed) and bool(CODE_RE.match(token)) and device.verify_token(token)
    if not ok:  # verify_token recorded the failure (throttling) in its own commit above
        raise ValidationFailed(
            _("动态口令不正确或已过期，请输入验证器中当前显示的6位数字。"),
            code="token_wrong",
            field="token",
        )
    with transaction.atomic(durable=True):
        device.confirmed = True
        device.name = "default"
        device.save(update_fields=["confirmed", "name"])
        audit_record(
            actor=Actor.from_user(device.user, ip=ip),
            action=audit_events.STAFF_TOTP_CONFIRM,
            target=device.user,
        )
    return device
