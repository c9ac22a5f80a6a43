"""Working-day limits of rectification (``TimeLimit`` rows, else the national defaults)."""

from __future__ import annotations

import datetime

from onewindow.core.calendar import add_working_days
from onewindow.ratings.models import TimeLimit

# 差评 15 个工作日内整改反馈; 实名差评 1 个工作日内回访; 申诉 5 个工作日内复核
DEFAULT_WORKING_DAYS: dict[str, int] = {
    TimeLimit.Step.RECTIFY: 15,
    TimeLimit.Step.VISIT: 1,
    TimeLimit.Step.APPEAL_REVIEW: 5,
}


def working_days_for(step: str) -> int:
    row = TimeLimit.objects.filter(step=step).values_list("working_days", flat=True).first()
    return int(row) if row is not None else DEFAULT_WORKING_DAYS[step]


def due_for(step: str, *, start: datetime.date) -> datetime.date:
    return add_working_days(start, working_days_for(step))
