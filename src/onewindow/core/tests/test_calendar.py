"""Working days against the State Council's 2026 holiday arrangements:
Spring Festival 15–23 February with make-up Saturdays 14 and 28 February; National Day and
Mid-Autumn 1–7 October with make-up days Sunday 20 September and Saturday 10 October."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from onewindow.core.calendar import (
    CalendarNotCovered,
    add_working_days,
    covered_years,
    is_estimate,
    is_working_day,
    reset_calendar_caches,
    working_days_between,
)

D = datetime.date


def test_2026_is_covered() -> None:
    assert 2026 in covered_years()


@pytest.mark.parametrize("day", [D(2026, 10, d) for d in range(1, 8)])
def test_national_day_week_is_a_holiday(day: datetime.date) -> None:
    assert not is_working_day(day)


def test_national_day_make_up_days_are_working_days() -> None:
    assert D(2026, 9, 20).weekday() == 6 and is_working_day(D(2026, 9, 20))
    assert D(2026, 10, 10).weekday() == 5 and is_working_day(D(2026, 10, 10))
    assert is_working_day(D(2026, 10, 8))
    assert not is_working_day(D(2026, 10, 11))  # the Sunday after is an ordinary weekend


def test_spring_festival_2026() -> None:
    for day in range(15, 24):
        assert not is_working_day(D(2026, 2, day)), day
    assert is_working_day(D(2026, 2, 14))  # make-up Saturday
    assert is_working_day(D(2026, 2, 28))  # make-up Saturday
    assert is_working_day(D(2026, 2, 24))


def test_an_ordinary_week() -> None:
    assert is_working_day(D(2026, 11, 27))  # Friday
    assert not is_working_day(D(2026, 11, 28))  # Saturday
    assert not is_working_day(D(2026, 11, 29))  # Sunday


def test_the_day_after_start_counts_as_day_one() -> None:
    assert add_working_days(D(2026, 11, 26), 1) == D(2026, 11, 27)
    assert add_working_days(D(2026, 11, 27), 1) == D(2026, 11, 30)  # over the weekend
    assert add_working_days(D(2026, 11, 27), 0) == D(2026, 11, 27)


def test_deadlines_skip_the_national_day_week_and_use_the_make_up_saturday() -> None:
    # Submitted on Wednesday 30 September: day 1 is Thursday 8 October, day 2 Friday 9,
    # day 3 the make-up Saturday 10 October, day 4 Monday 12 October.
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert add_working_days(D(2026, 9, 30), 4) == D(2026, 10, 12)
    # Saturday 19 September: the make-up Sunday 20 September is day 1.
    assert add_working_days(D(2026, 9, 19), 1) == D(2026, 9, 20)


def test_deadlines_over_spring_festival() -> None:
    # Friday 13 February: make-up Saturday 14th is day 1, then the holiday to the 23rd.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)


def test_working_days_between() -> None:
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4
    assert working_days_between(D(2026, 10, 12), D(2026, 9, 30)) == -4
    assert working_days_between(D(2026, 11, 27), D(2026, 11, 27)) == 0
    assert working_days_between(D(2026, 11, 27), D(2026, 11, 30)) == 1
    start = D(2026, 3, 2)
    for n in (0, 1, 5, 20, 60):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_a_year_without_data_is_refused_not_guessed() -> None:
    uncovered = max(covered_years()) + 1
    with pytest.raises(CalendarNotCovered) as caught:
        is_working_day(D(uncovered, 1, 5))
    assert str(uncovered) in str(caught.value.message)
    with pytest.raises(CalendarNotCovered):
        add_working_days(D(2026, 12, 30), 10)


@pytest.fixture
def holidays_file(settings: Any, tmp_path: Any) -> Iterator[Any]:
    """The IT centre's file for a year the library lacks (made-up days, for the test)."""
    year = max(covered_years()) + 1
    path = tmp_path / "holidays.yaml"
    path.write_text(
        f"{year}:\n  holidays: [{year}-01-01, {year}-01-04]\n  workdays: [{year}-01-09]\n",
        encoding="utf-8",
    )
    settings.HOLIDAYS_FILE = str(path)
    reset_calendar_caches()
    yield year
    settings.HOLIDAYS_FILE = ""
    reset_calendar_caches()


def test_a_year_added_from_the_holiday_notice_counts_its_holidays_and_make_up_days(
    holidays_file: int,
) -> None:
    year = holidays_file
    assert year in covered_years()
    assert is_working_day(D(year, 1, 4)) is False  # a listed holiday on a weekday
    assert is_working_day(D(year, 1, 9)) is True  # a listed make-up day on a weekend
    weekday = next(D(year, 1, d) for d in range(5, 9) if D(year, 1, d).weekday() < 5)
    assert is_working_day(weekday) is True
    assert is_estimate(D(year - 1, 12, 1), D(year, 2, 1)) is False


def test_a_deadline_past_the_data_is_an_estimate_over_monday_to_friday() -> None:
    uncovered = max(covered_years()) + 1
    start = D(uncovered - 1, 12, 30)
    due = add_working_days(start, 10, estimate=True)
    left, day = 10, start
    while left:
        day += datetime.timedelta(days=1)
        if day.year == uncovered:
            left -= day.weekday() < 5
        else:
            left -= is_working_day(day)
    assert due == day
    assert is_estimate(start, due) is True
    assert is_estimate(start, D(uncovered - 1, 12, 31)) is False
    assert working_days_between(start, due, estimate=True) == 10
