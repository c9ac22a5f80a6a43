"""The --clock option moves the suite to the next time the city's clock shows HH:MM."""

from __future__ import annotations

import datetime

import pytest

from onewindow.testing.clock import CITY, next_time_of_day


def test_the_next_late_hour_is_later_the_same_day_or_the_next() -> None:
    morning = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=CITY)
    assert next_time_of_day("23:45", now=morning) == datetime.datetime(
        2026, 12, 2, 23, 45, tzinfo=CITY
    )
    late = datetime.datetime(2026, 12, 2, 23, 50, tzinfo=CITY)
    assert next_time_of_day("23:45", now=late) == datetime.datetime(
        2026, 12, 3, 23, 45, tzinfo=CITY
    )
    # The city's time, whatever zone "now" is given in: 16:00 UTC is midnight in Beijing.
    utc = datetime.datetime(2026, 12, 2, 15, 30, tzinfo=datetime.UTC)
    assert next_time_of_day("23:45", now=utc) == datetime.datetime(2026, 12, 2, 23, 45, tzinfo=CITY)


def test_a_malformed_clock_is_a_usage_error() -> None:
    with pytest.raises(pytest.UsageError, match="HH:MM"):
        next_time_of_day("late")


def test_with_the_option_the_suite_runs_at_that_hour(pytestconfig: pytest.Config) -> None:
    text = pytestconfig.getoption("--clock")
    if not text:
        pytest.skip("run without --clock")
    wanted = datetime.time.fromisoformat(text)
    now = datetime.datetime.now(CITY)
    started = now.replace(hour=wanted.hour, minute=wanted.minute, second=0, microsecond=0)
    if started > now:
        started -= datetime.timedelta(days=1)
    # The suite started at that time of day and has been running (ticking) since.
    assert datetime.timedelta(0) <= now - started < datetime.timedelta(hours=3)
