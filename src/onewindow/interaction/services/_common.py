"""Helpers shared by the interaction services: errors, the per-request lock, order numbers,
time limits and timeline rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.calendar import add_working_days, is_working_day
from onewindow.core.errors import Conflict, NotFound
from onewindow.interaction.models import Kind, Move, NumberSequence, Request, TimeLimit, Urgency

if TYPE_CHECKING:
    from onewindow.identity.models import User


class RequestNotFound(NotFound):
    code = "request_not_found"

    def __init__(self) -> None:
        super().__init__(_("工单不存在或您无权查看。"))


class WrongState(Conflict):
    code = "wrong_state"

    def __init__(self, message: Any = None) -> None:
        super().__init__(message or _("工单当前状态不能进行此操作，请刷新后重试。"))


@dataclass(frozen=True)
class Limits:
    """The time limits for one kind and urgency (``TimeLimit`` rows, else these defaults)."""

    sign_hours: int
    answer_working_days: int
    fallback_working_days: int = 0
    chase_after_days: int = 1
    max_returns: int = 2
    max_extension_days: int = 10


# Defaults close to common local 12345 rules: urgent orders are transferred at once and signed
# within 2 hours; consultations and help-seeking are answered the same day, else within 3
# working days; complaints, reports and suggestions within 13 working days.
DEFAULT_LIMITS: dict[tuple[str, str], Limits] = {
    (Kind.CONSULTATION, Urgency.NORMAL): Limits(24, 0, 3),
    (Kind.HELP, Urgency.NORMAL): Limits(24, 0, 3),
    (Kind.COMPLAINT, Urgency.NORMAL): Limits(24, 13),
    (Kind.REPORT, Urgency.NORMAL): Limits(24, 13),
    (Kind.SUGGESTION, Urgency.NORMAL): Limits(24, 13),
    (Kind.PRAISE, Urgency.NORMAL): Limits(24, 5),
    **{(kind, Urgency.URGENT): Limits(2, 1) for kind in Kind.values},
}


def limits_for(kind: str, urgency: str) -> Limits:
    row = TimeLimit.objects.filter(kind=kind, urgency=urgency).first()
    if row is None:
        return DEFAULT_LIMITS[(kind, urgency)]
    return Limits(
        sign_hours=row.sign_hours,
        answer_working_days=row.answer_working_days,
        fallback_working_days=row.fallback_working_days,
        chase_after_days=row.chase_after_days,
        max_returns=row.max_returns,
        max_extension_days=row.max_extension_days,
    )


def working_day_on_or_after(day: datetime.date) -> datetime.date:
    while not is_working_day(day, estimate=True):
        day += datetime.timedelta(days=1)
    return day


def answer_due_for(limits: Limits, start: datetime.date) -> datetime.date:
    """The working day an answer is due: the same (working) day for a limit of 0, else the
    n-th working day after ``start``."""
    first = working_day_on_or_after(start)
    if limits.answer_working_days == 0:
        return first
    return add_working_days(start, limits.answer_working_days, estimate=True)


def order_number_next(now: datetime.datetime | None = None) -> str:
    """The next order number of the day, ``YYYYMMDD`` + six digits (inside the caller's
    transaction; the day's row is locked until it ends, so numbers never repeat)."""
    day = timezone.localdate(now or timezone.now())
    NumberSequence.objects.get_or_create(day=day)
    NumberSequence.objects.filter(day=day).update(last=F("last") + 1)
    last = NumberSequence.objects.values_list("last", flat=True).get(day=day)
    return f"{day:%Y%m%d}{last:06d}"


def lock_request(request_id: int) -> Request:
    """The request row, locked for this transaction (two dispatchers, one request: the second
    waits, then sees the first one's move)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_request needs a transaction")
    try:
        return Request.objects.select_for_update().get(pk=request_id)
    except Request.DoesNotExist:
        raise RequestNotFound() from None


def move_add(
    request: Request,
    *,
    action: str,
    actor: User | None,
    department_id: int | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    public: bool = True,
    at: datetime.datetime | None = None,
) -> Move:
    return Move.objects.create(
        request=request,
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        department_id=department_id,
        note=note,
        data=data or {},
        public=public,
        at=at or timezone.now(),
    )
