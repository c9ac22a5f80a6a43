"""Working days (工作日) in mainland China, from the State Council's holiday notices.

chinese-calendar carries each year's public holidays and make-up working days (调休); the
State Council publishes next year's arrangement each November or December, and a release of
the library follows some weeks later. Until then the IT centre adds the notice itself:
``ONEWINDOW_HOLIDAYS_FILE`` names a YAML file of years the library lacks::

    2027:
      holidays: [2027-01-01, 2027-02-05, ...]
      workdays: [2027-02-14, ...]      # make-up working days (调休上班)

A year neither has data for is refused with ``CalendarNotCovered`` by the strict functions
instead of guessing from weekends: a booking calendar must not open a holiday. Deadlines
and timers cannot wait for the notice, so ``estimate=True`` counts Monday–Friday past the
data, and :func:`is_estimate` says whether a span did (a promised date shown as 预计).

``add_working_days(start, n)``: the day after ``start`` counts as day 1 (a case submitted on
Friday with a one-working-day limit is due the next working day, not that Friday).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
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


@dataclass(frozen=True)
class ExtraYear:
    holidays: frozenset[datetime.date]
    workdays: frozenset[datetime.date]


def _dates(items: Any, *, year: int, key: str, source: str) -> frozenset[datetime.date]:
    out = set()
    for item in items or []:
        day = item if isinstance(item, datetime.date) else datetime.date.fromisoformat(str(item))
        if day.year != year:
            raise ImproperlyConfigured(f"{source}: {key} of {year} lists {day}")
        out.add(day)
    return frozenset(out)


@lru_cache(maxsize=1)
def extra_years() -> dict[int, ExtraYear]:
    """Years added by the IT centre (``ONEWINDOW_HOLIDAYS_FILE``) from the State Council's
    notice, for years chinese-calendar has no data for yet."""
    source = str(getattr(settings, "HOLIDAYS_FILE", "") or "")
    if not source:
        return {}
    try:
        data = yaml.safe_load(Path(source).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ImproperlyConfigured(f"ONEWINDOW_HOLIDAYS_FILE {source}: {exc}") from exc
    years = {}
    for year, entry in data.items():
        entry = entry or {}
        years[int(year)] = ExtraYear(
            holidays=_dates(entry.get("holidays"), year=int(year), key="holidays", source=source),
            workdays=_dates(entry.get("workdays"), year=int(year), key="workdays", source=source),
        )
    return years


@lru_cache(maxsize=1)
def covered_years() -> frozenset[int]:
    """The years with holiday and make-up workday data: chinese-calendar's and the file's."""
    years = {day.year for day in chinese_calendar.constants.holidays}
    return frozenset(range(min(years), max(years) + 1)) | frozenset(extra_years())


def reset_calendar_caches() -> None:
    extra_years.cache_clear()
    covered_years.cache_clear()
    _working_day.cache_clear()


def is_estimate(start: datetime.date, end: datetime.date) -> bool:
    """Whether counting working days from ``start`` to ``end`` went past the holiday data
    (Monday–Friday counted there)."""
    first, last = sorted((_day(start), _day(end)))
    return any(year not in covered_years() for year in range(first.year, last.year + 1))


def _day(value: datetime.date) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def is_working_day(day: datetime.date, *, estimate: bool = False) -> bool:
    """True for Monday–Friday that are not public holidays, and for make-up working days.
    Past the holiday data: ``CalendarNotCovered``, or with ``estimate`` Monday–Friday.
    Each day's answer is remembered (counting a case's working days left asks about every
    day up to its deadline, on every page that shows it) until the calendar is reset."""
    return _working_day(_day(day), estimate)


@lru_cache(maxsize=8192)
def _working_day(day: datetime.date, estimate: bool) -> bool:
    if day.year not in covered_years():
        if estimate:
            return day.weekday() < 5
        raise CalendarNotCovered(day.year)
    extra = extra_years().get(day.year)
    if extra is not None:
        if day in extra.workdays:
            return True
        return day.weekday() < 5 and day not in extra.holidays
    return bool(chinese_calendar.is_workday(day))


def add_working_days(start: datetime.date, n: int, *, estimate: bool = False) -> datetime.date:
    """The ``n``-th working day after ``start`` (``n == 0`` gives ``start`` itself).
    ``estimate``: Monday–Friday past the holiday data instead of ``CalendarNotCovered``."""
    if n < 0:
        raise ValueError("n must not be negative")
    if n > MAX_WORKING_DAYS:
        raise ValueError("too many working days")
    day = start.date() if isinstance(start, datetime.datetime) else start
    left = n
    while left > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day, estimate=estimate):
            left -= 1
    return day


def working_days_between(a: datetime.date, b: datetime.date, *, estimate: bool = False) -> int:
    """Working days in the half-open span (a, b]; negative when ``b`` is before ``a``.

    ``working_days_between(today, due)`` is the number of working days left: 0 when the
    case is due today, -1 when it was due on the previous working day."""
    a = a.date() if isinstance(a, datetime.datetime) else a
    b = b.date() if isinstance(b, datetime.datetime) else b
    if b < a:
        return -working_days_between(b, a, estimate=estimate)
    count = 0
    day = a
    while day < b:
        day += datetime.timedelta(days=1)
        if is_working_day(day, estimate=estimate):
            count += 1
    return count
