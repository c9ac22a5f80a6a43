"""Opening the rectification (整改) a bad rating calls for, inside the rating's transaction."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from onewindow.ratings.models import Rating, Rectification, TimeLimit
from onewindow.ratings.services._limits import due_for


def rectification_open_for(
    *, rating: Rating, now: datetime.datetime | None = None
) -> Rectification:
    """Open the rectification of a bad rating for whoever handled its subject (谁办理谁负责):
    due in the rectify limit's working days, with a return visit due for a real-name rating.
    Part of the caller's transaction (the rating's submission); writes no audit row itself."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("rectification_open_for runs inside the rating's transaction")
    today = timezone.localdate(now or timezone.now())
    subject = rating.subject
    return Rectification.objects.create(
        rating=rating,
        department_id=subject.department_id,
        handler_id=subject.handled_by_id,
        due=due_for(TimeLimit.Step.RECTIFY, start=today),
        visit_due=due_for(TimeLimit.Step.VISIT, start=today) if rating.real_name else None,
    )
