"""Reads of rectifications (整改) for the pages: a department's inbox (its own only, soonest
due first), one rectification with its rating — never who rated —, the platform office's
appeal queue, and the rater's own view of the department's answer."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from django.utils import timezone

from onewindow.core.calendar import add_working_days, working_days_between
from onewindow.identity.selectors import departments_by_ids
from onewindow.ratings.models import Dimension, Level, RatingLink, Reason, Rectification, TimeLimit
from onewindow.ratings.rectify_rules import LIVE, answer_overdue, overdue_q, visit_overdue
from onewindow.ratings.services.links import link_find
from onewindow.ratings.services.rectify_limits import working_days_for

Status = Rectification.Status


@dataclass(frozen=True)
class InboxRow:
    pk: int
    number: str
    title: str
    service_name: str
    level: int
    level_label: str
    status: str
    status_label: str
    due: datetime.date
    days_left: int  # working days; negative: overdue by that many
    answer_overdue: bool
    visit_due: datetime.date | None
    visit_overdue: bool
    supervised: bool
    created_at: datetime.datetime

    @property
    def late(self) -> int:
        return -self.days_left


@dataclass(frozen=True)
class Scored:
    label: str
    level: int
    level_label: str


@dataclass(frozen=True)
class RectificationView:
    """One rectification and its rating as staff see them: the rater is not in it."""

    pk: int
    department_id: int | None
    department_name: str
    number: str
    title: str
    kind_label: str
    channel_label: str
    service_name: str
    concluded_at: datetime.datetime
    level: int
    level_label: str
    dimensions: tuple[Scored, ...]
    reasons: tuple[str, ...]
    text: str
    real_name: bool
    rated_at: datetime.datetime
    status: str
    status_label: str
    due: datetime.date
    days_left: int
    answer_overdue: bool
    visit_due: datetime.date | None
    visit_overdue: bool
    visited_at: datetime.datetime | None
    visit_note: str
    outcome: str
    outcome_label: str
    answer: str
    legal_basis: str
    answered_at: datetime.datetime | None
    appeal_review_due: datetime.date | None
    appeal_decided_at: datetime.datetime | None
    appeal_note: str
    fix_level: int | None
    fix_level_label: str
    fix_text: str
    fix_rated_at: datetime.datetime | None
    supervised_at: datetime.datetime | None
    closed_at: datetime.datetime | None

    @property
    def late(self) -> int:
        return -self.days_left


LEVELS = dict(Level.choices)
DIMENSIONS = dict(Dimension.choices)
REASONS = dict(Reason.choices)
STATUSES = dict(Status.choices)
OUTCOMES = dict(Rectification.Outcome.choices)


def _days_left(due: datetime.date, today: datetime.date) -> int:
    return working_days_between(today, due, estimate=True)


def _appeal_review_due(row: Rectification) -> datetime.date | None:
    if row.status != Status.APPEALED or row.answered_at is None:
        return None
    start = timezone.localdate(row.answered_at)
    return add_working_days(start, working_days_for(TimeLimit.Step.APPEAL_REVIEW), estimate=True)


def _row(row: Rectification, today: datetime.date) -> InboxRow:
    subject = row.rating.subject
    return InboxRow(
        pk=row.pk,
        number=subject.number,
        title=subject.title,
        service_name=subject.service_name,
        level=row.rating.level,
        level_label=str(LEVELS.get(row.rating.level, "")),
        status=row.status,
        status_label=str(STATUSES.get(row.status, row.status)),
        due=row.due,
        days_left=_days_left(row.due, today),
        answer_overdue=answer_overdue(row, today),
        visit_due=row.visit_due,
        visit_overdue=visit_overdue(row, today),
        supervised=row.supervised_at is not None,
        created_at=row.created_at,
    )


def rectification_inbox(
    *,
    department_ids: Collection[int],
    status: str | None = None,
    overdue_only: bool = False,
    today: datetime.date | None = None,
    limit: int = 100,
) -> list[InboxRow]:
    """The departments' rectifications, soonest due first (those still being worked on
    unless ``status`` names one), in one query."""
    today = today or timezone.localdate()
    rows = Rectification.objects.filter(department_id__in=set(department_ids))
    rows = rows.filter(status=status) if status else rows.filter(status__in=LIVE)
    if overdue_only:
        rows = rows.filter(overdue_q(today))
    rows = rows.select_related("rating__subject").order_by("due", "pk")[:limit]
    return [_row(row, today) for row in rows]


def appeal_queue(*, today: datetime.date | None = None, limit: int = 100) -> list[InboxRow]:
    """The appeals waiting for the platform office's review, oldest first."""
    today = today or timezone.localdate()
    rows = (
        Rectification.objects.filter(status=Status.APPEALED)
        .select_related("rating__subject")
        .order_by("answered_at", "pk")[:limit]
    )
    return [_row(row, today) for row in rows]


def _view(row: Rectification, today: datetime.date) -> RectificationView:
    rating = row.rating
    subject = rating.subject
    names = {d.pk: d.name for d in departments_by_ids(ids=[row.department_id or 0])}
    dimensions = tuple(
        Scored(
            label=str(DIMENSIONS.get(code, code)),
            level=int(level),
            level_label=str(LEVELS.get(int(level), "")),
        )
        for code, level in (rating.dimensions or {}).items()
        if code != Dimension.OVERALL and str(level).isdigit()
    )
    return RectificationView(
        pk=row.pk,
        department_id=row.department_id,
        department_name=names.get(row.department_id or 0, ""),
        number=subject.number,
        title=subject.title,
        kind_label=subject.get_kind_display(),
        channel_label=subject.get_channel_display(),
        service_name=subject.service_name,
        concluded_at=subject.concluded_at,
        level=rating.level,
        level_label=str(LEVELS.get(rating.level, "")),
        dimensions=dimensions,
        reasons=tuple(str(REASONS.get(code, code)) for code in rating.reasons or ()),
        text=rating.text,
        real_name=rating.real_name,
        rated_at=rating.created_at,
        status=row.status,
        status_label=str(STATUSES.get(row.status, row.status)),
        due=row.due,
        days_left=_days_left(row.due, today),
        answer_overdue=answer_overdue(row, today),
        visit_due=row.visit_due,
        visit_overdue=visit_overdue(row, today),
        visited_at=row.visited_at,
        visit_note=row.visit_note,
        outcome=row.outcome,
        outcome_label=str(OUTCOMES.get(row.outcome, "")),
        answer=row.answer,
        legal_basis=row.legal_basis,
        answered_at=row.answered_at,
        appeal_review_due=_appeal_review_due(row),
        appeal_decided_at=row.appeal_decided_at,
        appeal_note=row.appeal_note,
        fix_level=row.fix_level,
        fix_level_label=str(LEVELS.get(row.fix_level or 0, "")),
        fix_text=row.fix_text,
        fix_rated_at=row.fix_rated_at,
        supervised_at=row.supervised_at,
        closed_at=row.closed_at,
    )


def rectification_for_department(
    *, rectification_id: int, department_ids: Collection[int], today: datetime.date | None = None
) -> RectificationView | None:
    """One rectification of these departments (None: not theirs, or none)."""
    row = (
        Rectification.objects.select_related("rating__subject")
        .filter(pk=rectification_id, department_id__in=set(department_ids))
        .first()
    )
    return _view(row, today or timezone.localdate()) if row is not None else None


def rectification_for_office(
    *, rectification_id: int, today: datetime.date | None = None
) -> RectificationView | None:
    """One rectification for the platform office, whichever its department."""
    row = Rectification.objects.select_related("rating__subject").filter(pk=rectification_id)
    found = row.first()
    return _view(found, today or timezone.localdate()) if found is not None else None


def rectification_for_rater(
    *, rectification_id: int, user_id: int, today: datetime.date | None = None
) -> RectificationView | None:
    """The rater's own rectification (their rating's), once the department has answered or
    it has ended; None for anyone else's."""
    row = (
        Rectification.objects.select_related("rating__subject").filter(pk=rectification_id).first()
    )
    if row is None or (row.rating.rated_by_id or row.rating.subject.rater_id) != user_id:
        return None
    return _view(row, today or timezone.localdate())


@dataclass(frozen=True)
class FixLink:
    """What a one-time link to rate a fix leads to: its rectification, and whether the link
    may still be used (``state``: ``ok``, ``used`` or ``expired``)."""

    state: str
    rectification: RectificationView


def rectification_for_link(*, token: str, now: datetime.datetime | None = None) -> FixLink | None:
    """The rectification a one-time ``rate_fix`` link leads to (None: no such link)."""
    now = now or timezone.now()
    link = link_find(token=token, purpose=RatingLink.Purpose.RATE_FIX)
    if link is None:
        return None
    row = (
        Rectification.objects.select_related("rating__subject")
        .filter(rating__subject_id=link.subject_id)
        .first()
    )
    if row is None:
        return None
    if link.used_at is not None:
        state = "used"
    elif link.expires_at <= now:
        state = "expired"
    else:
        state = "ok"
    return FixLink(state=state, rectification=_view(row, timezone.localdate(now)))
