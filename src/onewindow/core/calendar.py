"""Working days (工作日) in mainland China, from the State Council's holiday notices.

chinese-calendar carries each year's public holidays and make-up working days (调休). A year
it has no data for is refused with ``CalendarNotCovered`` instead of guessing from weekends:
a deadline computed from a guess could fall on a holiday or skip a make-up Saturday.

``add_working_days(start, n)``: the day after ``start`` counts as day 1 (a case submitted on
Friday with a one-working-day limit is due the next working day, not that Friday).
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import chinese_calendar
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError

# Safety net: a caller asking for more working days than this is a bug, not a case.
MAX_WORKING_DAYS = 3660


class CalendarNotCovered(ApplicationError):
    """The holiday calendar has no data for the year asked about."""

    status = 503
    code = "calendar_not_covered"

    def __init__(self, year: int) -> None:
        super().__init__(
            _("节假日安排尚未收录 %(year)s 年的数据，无法计算工作日。") % {"year": year}
        )
        self.year = year


@lru_cache(maxsize=1)
def covered_years() -> range:
    """The years chinese-calendar has holiday and make-up workday data for."""
    years = {day.year for day in chinese_calendar.constants.holidays}
    return range(min(years), max(years) + 1)


def is_working_day(day: datetime.date) -> bool:
    """True for Monday–Friday that are not public holidays, and for make-up working days."""
    if isinstance(day, datetime.datetime):
        day = day.date()
    if day.year not in covered_years():
        raise CalendarNotCovered(day.year)
    return bool(chinese_calendar.is_workday(day))


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The ``n``-th working day after ``start`` (``n == 0`` gives ``start`` itself)."""
    if n < 0:
        raise ValueError("n must not be negative")
    if n > MAX_WORKING_DAYS:
        raise ValueError("too many working days")
    day = start.date() if isinstance(start, datetime.datetime) else start
    left = n
    while left > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(a: datetime.date, b: datetime.date) -> int:
    """Working days in the half-open span (a, b]; negative when ``b`` is before ``a``.

    ``working_days_between(today, due)`` is the number of working days left: 0 when the
    case is due today, -1 when it was due on the previous working day."""
    a = a.date() if isinstance(a, datetime.datetime) else a
    b = b.date() if isinstance(b, datetime.datetime) else b
    if b < a:
        return -working_days_between(b, a)
    count = 0
    day = a
    while day < b:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
