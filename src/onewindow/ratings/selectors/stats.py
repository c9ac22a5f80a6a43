"""The public statistics of ratings (好差评公开): per department and per service, the ratings
of a period (a month, or all time) by level, the satisfaction rate, bad ratings, the
rectification rate and the average rectification time in working days.

- satisfaction rate (满意率) = (非常满意 + 满意 + 基本满意) / all ratings, a percentage: the
  three upper levels are the good ratings (好评) of 国办发〔2019〕51号's five levels, the two
  lower ones the bad ratings (差评);
- rectification rate (整改率) = rectifications closed (已办结: answered and the fix rated) /
  bad ratings;
- rectification time: working days from the rectification's opening to the department's
  answer (整改反馈), averaged over the closed ones.

A rating the platform office voided on appeal counts nowhere, nor does its rectification.
A period holds the ratings given in it, and the rectifications of those ratings.

Each figure is an aggregate query (the ratings grouped once, the closed rectifications
grouped by their opening and answer days); the working days are counted once per distinct
pair of days. What the page shows is kept in the cache for a few minutes."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from onewindow.core.calendar import working_days_between
from onewindow.core.guide_panels import GuidePanel
from onewindow.identity.selectors import departments_by_ids
from onewindow.ratings.models import BAD_AT_OR_BELOW, Level, Rating, Rectification

CACHE_SECONDS = 300
CACHE_VERSION = 1
MONTH = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")
LEVELS = tuple(sorted(Level.values, reverse=True))  # 5 (非常满意) … 1 (非常不满意)
GOOD_FROM = Level.BASICALLY_SATISFIED
ONE = Decimal("0.1")

GroupBy = Literal["department", "service"]
GROUP_FIELDS: dict[str, str] = {
    "department": "subject__department_id",
    "service": "subject__service_code",
}


@dataclass(frozen=True)
class Period:
    """Ratings given in ``[start, end)`` (city time); both None: all time."""

    key: str  # "2026-10" or "" (all time)
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None


def period_of(month: str) -> Period:
    """The month ``YYYY-MM`` (anything else: all time)."""
    found = MONTH.match(month or "")
    if not found:
        return Period(key="")
    year, number = int(found.group(1)), int(found.group(2))
    zone = timezone.get_current_timezone()
    start = datetime.datetime(year, number, 1, tzinfo=zone)
    following = datetime.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
    return Period(key=month, start=start, end=following)


def recent_months(*, today: datetime.date | None = None, count: int = 12) -> list[str]:
    """The last ``count`` months, this one first (the page's choice of period)."""
    today = today or timezone.localdate()
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


@dataclass(frozen=True)
class StatsRow:
    key: str
    name: str
    levels: tuple[int, ...]  # counts of 非常满意 … 非常不满意
    total: int
    satisfied: int
    bad: int
    satisfaction_rate: Decimal | None  # percent, one decimal; None without ratings
    rectified: int
    rectification_rate: Decimal | None  # percent, one decimal; None without bad ratings
    average_working_days: Decimal | None  # one decimal; None before any closed

    @property
    def by_level(self) -> list[tuple[str, int]]:
        """(the level's name, its count), 非常满意 first."""
        labels = dict(Level.choices)
        return [(str(labels[level]), n) for level, n in zip(LEVELS, self.levels, strict=True)]


@dataclass(frozen=True)
class RatingsStats:
    period: str
    departments: tuple[StatsRow, ...]
    services: tuple[StatsRow, ...]
    total: StatsRow
    computed_at: datetime.datetime = field(default_factory=timezone.now)


def _percent(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE, rounding=ROUND_HALF_UP)


def _ratings(period: Period) -> QuerySet[Rating]:
    rows = Rating.objects.filter(voided=False)
    if period.start is not None:
        rows = rows.filter(created_at__gte=period.start, created_at__lt=period.end)
    return rows


def _closed(period: Period) -> QuerySet[Rectification]:
    rows = Rectification.objects.filter(
        status=Rectification.Status.CLOSED, rating__voided=False, answered_at__isnull=False
    )
    if period.start is not None:
        rows = rows.filter(rating__created_at__gte=period.start, rating__created_at__lt=period.end)
    return rows


def _level_counts() -> dict[str, Any]:
    return {f"l{level}": Count("pk", filter=Q(level=level)) for level in LEVELS}


@dataclass
class _Tally:
    levels: dict[int, int] = field(default_factory=dict)
    rectified: int = 0
    working_days: int = 0


def _tallies(period: Period, group: str | None) -> dict[str, _Tally]:
    """Per group key (one key "" without a group): the level counts and the closed
    rectifications with their working days, in two grouped queries."""
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    rating_group = [GROUP_FIELDS[group]] if group else []
    for row in _ratings(period).values(*rating_group).annotate(**_level_counts()).order_by():
        key = str(row[rating_group[0]] or "") if group else ""
        tally = tallies[key]
        for level in LEVELS:
            tally.levels[level] = tally.levels.get(level, 0) + int(row[f"l{level}"])
    zone = timezone.get_current_timezone()
    rect_group = [f"rating__{GROUP_FIELDS[group]}"] if group else []
    spans = (
        _closed(period)
        .annotate(
            opened_on=TruncDate("created_at", tzinfo=zone),
            answered_on=TruncDate("answered_at", tzinfo=zone),
        )
        .values(*rect_group, "opened_on", "answered_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in spans:
        key = str(row[rect_group[0]] or "") if group else ""
        tally = tallies[key]
        days = max(0, working_days_between(row["opened_on"], row["answered_on"], estimate=True))
        tally.rectified += int(row["n"])
        tally.working_days += days * int(row["n"])
    return tallies


def _stats_row(key: str, name: str, tally: _Tally) -> StatsRow:
    levels = tuple(tally.levels.get(level, 0) for level in LEVELS)
    total = sum(levels)
    satisfied = sum(n for level, n in zip(LEVELS, levels, strict=True) if level >= GOOD_FROM)
    bad = sum(n for level, n in zip(LEVELS, levels, strict=True) if level <= BAD_AT_OR_BELOW)
    average = (
        (Decimal(tally.working_days) / Decimal(tally.rectified)).quantize(ONE, ROUND_HALF_UP)
        if tally.rectified
        else None
    )
    return StatsRow(
        key=key,
        name=name,
        levels=levels,
        total=total,
        satisfied=satisfied,
        bad=bad,
        satisfaction_rate=_percent(satisfied, total),
        rectified=tally.rectified,
        rectification_rate=_percent(tally.rectified, bad),
        average_working_days=average,
    )


def _department_names(keys: Iterable[str]) -> dict[str, str]:
    ids = [int(key) for key in keys if key.isdigit()]
    return {str(d.pk): d.name for d in departments_by_ids(ids=ids)}


def _service_names(period: Period, keys: Iterable[str]) -> dict[str, str]:
    """Each service's name as its newest rated subject gives it."""
    names: dict[str, str] = {}
    rows = (
        _ratings(period)
        .filter(subject__service_code__in=[key for key in keys if key])
        .order_by("subject__service_code", "-subject__concluded_at")
        .values_list("subject__service_code", "subject__service_name")
    )
    for code, name in rows.distinct():
        names.setdefault(code, name or code)
    return names


def _rows(tallies: dict[str, _Tally], names: dict[str, str], unnamed: str) -> tuple[StatsRow, ...]:
    rows = [_stats_row(key, names.get(key, unnamed), tally) for key, tally in tallies.items()]
    # most rated first, then by name (a stable order for a table)
    return tuple(sorted(rows, key=lambda r: (-r.total, r.name, r.key)))


def ratings_stats_compute(*, period: Period) -> RatingsStats:
    departments = _tallies(period, "department")
    services = _tallies(period, "service")
    overall = _tallies(period, None)
    return RatingsStats(
        period=period.key,
        departments=_rows(departments, _department_names(departments), "—"),
        services=_rows(services, _service_names(period, services), "—"),
        total=_stats_row("", "", overall.get("", _Tally())),
    )


def ratings_stats(*, month: str = "") -> RatingsStats:
    """The statistics of a month (``YYYY-MM``) or of all time, kept for a few minutes."""
    period = period_of(month)
    key = f"ratings:stats:v{CACHE_VERSION}:{period.key or 'all'}"
    found = cache.get(key)
    if isinstance(found, RatingsStats):
        return found
    stats = ratings_stats_compute(period=period)
    cache.set(key, stats, CACHE_SECONDS)
    return stats


def service_rating_summary(*, service_code: str) -> StatsRow | None:
    """One service's ratings of all time (None before its first), kept for a few minutes."""
    key = f"ratings:service:v{CACHE_VERSION}:{service_code}"
    found = cache.get(key)
    if isinstance(found, StatsRow):
        return found
    if found == "none":
        return None
    tallies = _tallies(Period(key=""), "service")  # one grouped query over every service
    for code, tally in tallies.items():
        row = _stats_row(code, code, tally)
        cache.set(f"ratings:service:v{CACHE_VERSION}:{code}", row, CACHE_SECONDS)
    summary = _stats_row(service_code, service_code, tallies[service_code])
    if summary.total == 0:
        cache.set(key, "none", CACHE_SECONDS)
        return None
    return summary


def service_guide_panel(*, service_code: str) -> GuidePanel | None:
    """The service guide's panel of its ratings (``core.guide_panels``)."""
    summary = service_rating_summary(service_code=service_code)
    if summary is None:
        return None
    return GuidePanel(
        key="ratings",
        template="ratings/stats_guide_panel.html",
        values={"summary": summary},
    )
