"""Staff lockout: failed logins counted per username (django-axes), never per address.

Colleagues behind one NAT address share it, so a lockout per username and address let one of
them lock another out from that address, while an attacker spreading guesses over many
addresses was never locked. Now ``AXES_FAILURE_LIMIT`` failures of one username within
``AXES_COOLOFF_TIME`` (of its last failure), from any address, lock that username; the n-th
lockout in a row lasts ``AXES_COOLOFF_TIME × 2^(n-1)`` up to ``LOCKOUT_MAX_COOLOFF``
(30 minutes, 1 hour, 2 hours … a day), and a successful login or ``LOCKOUT_STREAK_RESET``
without a lockout starts again at one. Attempts during a lockout neither count nor extend it.

Each new lockout is an alert: a WARNING log line, an audit row (``identity.login.lockout``,
denied) and, for a staff or operator account, an in-app message to the platform operators and
to the department administrators (``identity.change_staff``) of the account's department or
above. Deleting the username's ``LoginLockout`` in the admin lifts it."""

from __future__ import annotations

import logging
import math
from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from onewindow.audit.services import Actor, Outcome, audit_record
from onewindow.identity import audit_events
from onewindow.identity.models import LoginLockout, User

log = logging.getLogger(__name__)

ADMIN_PERMISSION = "identity.change_staff"  # department administrators
NOTICE_TEMPLATE = "staff_locked_out"


def base_cool_off() -> timedelta:
    return timedelta(hours=float(settings.AXES_COOLOFF_TIME))


def cool_off_for(streak: int) -> timedelta:
    """How long the ``streak``-th lockout in a row lasts."""
    longest: timedelta = settings.LOCKOUT_MAX_COOLOFF
    return min(base_cool_off() * 2 ** max(streak - 1, 0), longest)


def lockout_in_force(username: str, *, now: Any = None) -> LoginLockout | None:
    now = now or timezone.now()
    return LoginLockout.objects.filter(username=username, locked_until__gt=now).first()


class StaffLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with the lock kept in ``LoginLockout``: failures count
    per username since the end of its last lockout, and a lockout lasts as long as its
    place in the streak says (``AXES_HANDLER``)."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        now = getattr(request, "axes_attempt_time", None) or timezone.now()
        state = LoginLockout.objects.filter(username=username).first()
        if state is not None and state.locked_until > now:
            return int(get_failure_limit(request, credentials))
        since = now - base_cool_off()
        if state is not None:
            since = max(since, state.locked_until)
        counted = AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
        return int(counted.aggregate(n=Sum("failures_since_start"))["n"] or 0)

    def clean_expired_user_attempts(
        self, request: Any = None, credentials: dict[str, Any] | None = None
    ) -> int:
        # Every username's rows go through here: only those older than any window.
        oldest = timezone.now() - max(base_cool_off(), settings.LOCKOUT_MAX_COOLOFF)
        count, _ = AccessAttempt.objects.filter(attempt_time__lte=oldest).delete()
        return count


def on_user_locked_out(
    sender: Any, request: Any = None, username: str | None = None, ip_address: str = "", **kw: Any
) -> None:
    """axes' ``user_locked_out``: sent when the limit is reached, and again for each attempt
    during the lockout (those change nothing)."""
    if username:
        lockout_begin(username=username, ip=ip_address or "")


def on_user_logged_in(
    sender: Any, request: Any = None, user: User | None = None, **kw: Any
) -> None:
    if user is not None:
        LoginLockout.objects.filter(username=user.get_username()).delete()


@transaction.atomic
def lockout_begin(*, username: str, ip: str) -> LoginLockout | None:
    """The username reached the failure limit: lock it for its place in the streak, start
    counting afresh, alert. None when a lockout is already in force."""
    now = timezone.now()
    state = LoginLockout.objects.select_for_update().filter(username=username).first()
    if state is not None and state.locked_until > now:
        return None
    reset: timedelta = settings.LOCKOUT_STREAK_RESET
    streak = 1 if state is None or now - state.locked_until > reset else state.streak + 1
    until = now + cool_off_for(streak)
    state, _ = LoginLockout.objects.update_or_create(
        username=username,
        defaults={"streak": streak, "locked_at": now, "locked_until": until},
    )
    AccessAttempt.objects.filter(username=username).delete()  # the lock is kept above
    minutes = math.ceil((until - now).total_seconds() / 60)
    log.warning(
        "staff login locked out: username=%s lockout=%d in a row minutes=%d last_ip=%s",
        username,
        streak,
        minutes,
        ip,
    )
    user = User.objects.filter(username=username).first()
    notified = _tell_admins(user=user, streak=streak, minutes=minutes, ip=ip, now=now)
    audit_record(
        actor=Actor(id=None, kind="anonymous", label="anonymous", ip=ip),
        action=audit_events.LOGIN_LOCKOUT,
        target=user,
        target_type="" if user else "identity.user",
        target_id="" if user else username[:64],
        outcome=Outcome.DENIED,
        changes={
            "username": username,
            "lockouts_in_a_row": streak,
            "minutes": minutes,
            "until": until.isoformat(),
            "notified": notified,
        },
    )
    return state


def _tell_admins(*, user: User | None, streak: int, minutes: int, ip: str, now: Any) -> int:
    """The platform operators and the account's department administrators, in-app."""
    if user is None or user.kind not in {User.Kind.STAFF, User.Kind.OPERATOR}:
        return 0  # no account to protect: the audit row and the log line are enough
    from onewindow.identity.selectors import staff_user_ids_in_department_chain
    from onewindow.notify.services import Recipient, notify_tell

    ids = list(
        User.objects.filter(kind=User.Kind.OPERATOR, is_active=True).values_list("pk", flat=True)
    )
    staff = getattr(user, "staff", None)
    if staff is not None:
        ids += staff_user_ids_in_department_chain(
            department_code=staff.department.code, permission=ADMIN_PERMISSION
        )
    recipients = [uid for uid in dict.fromkeys(ids) if uid != user.pk]
    params = {
        "name": user.display_name or user.username,
        "username": user.username,
        "count": streak,
        "minutes": minutes,
        "ip": ip or "未知",
    }
    for uid in recipients:
        notify_tell(
            recipient=Recipient(user_id=uid),
            template=NOTICE_TEMPLATE,
            params=params,
            kind="staff_locked_out",
            source_key=f"lockout:{user.username}:{int(now.timestamp())}",
        )
    return len(recipients)
