"""The rules of rectification (整改) that the use cases and the pages share: the permissions,
the statuses still being worked on, and when a rectification is overdue."""

from __future__ import annotations

import datetime

from django.db.models import Q

from onewindow.ratings.models import Rectification

RECTIFY = "ratings.rectify_ratings"  # a department's rectifier: visits, answers
REVIEW = "ratings.review_rating_appeals"  # the platform office: decides appeals

Status = Rectification.Status
# the statuses in which the department still works on it (the visit may happen in any)
LIVE = (Status.OPEN, Status.APPEALED, Status.ANSWERED)


def overdue_q(today: datetime.date) -> Q:
    """Open past its due day (the answer is late), or live and a real-name rating not
    visited past the visit's due day (the return visit is late)."""
    return Q(status=Status.OPEN, due__lt=today) | Q(
        status__in=LIVE, visit_due__isnull=False, visit_due__lt=today, visited_at__isnull=True
    )


def answer_overdue(row: Rectification, today: datetime.date) -> bool:
    return row.status == Status.OPEN and row.due < today


def visit_overdue(row: Rectification, today: datetime.date) -> bool:
    return (
        row.status in LIVE
        and row.visit_due is not None
        and row.visit_due < today
        and row.visited_at is None
    )
