"""``--clock=HH:MM``: run the suite as if it were started at that time of day in the city.

A test that reads the clock without saying what time it is (books "the first slot of the
earliest day", counts "today" near midnight) passes at some hours and fails at others. CI runs
one leg of the suite at a fixed late hour (``--clock=23:45``, Beijing time), so such a test
fails on every run, not only on the day someone happens to run it late.

The clock is moved to the next time the city's clock shows ``HH:MM`` (so never backwards:
cookies and tokens the browser holds stay valid) and keeps ticking; tests that travel in
time themselves still do (time-machine nests). Processes a test starts (a demo server, a
worker) keep the real clock."""

from __future__ import annotations

import datetime
import os
import zoneinfo
from typing import Any

import pytest

CITY = zoneinfo.ZoneInfo("Asia/Shanghai")
ENV = "ONEWINDOW_TEST_CLOCK"
_travel: Any = None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        default=os.environ.get(ENV, ""),
        metavar="HH:MM",
        help="run the suite from the next time the city's clock shows HH:MM (Beijing time)",
    )


def next_time_of_day(text: str, *, now: datetime.datetime | None = None) -> datetime.datetime:
    """The next moment (from ``now``) at which the city's clock shows ``text`` (HH:MM)."""
    try:
        wanted = datetime.time.fromisoformat(text)
    except ValueError:
        raise pytest.UsageError(f"--clock wants HH:MM, not {text!r}") from None
    now = (now or datetime.datetime.now(datetime.UTC)).astimezone(CITY)
    moment = now.replace(hour=wanted.hour, minute=wanted.minute, second=0, microsecond=0)
    if moment <= now:
        moment += datetime.timedelta(days=1)
    return moment


def pytest_configure(config: pytest.Config) -> None:
    global _travel
    text = config.getoption("--clock")
    if not text:
        return
    import time_machine

    moment = next_time_of_day(text)
    _travel = time_machine.travel(moment, tick=True)
    _travel.start()
    config.stash[_moment_key] = moment


def pytest_report_header(config: pytest.Config) -> str | None:
    moment = config.stash.get(_moment_key, None)
    return f"clock: from {moment.isoformat()} (--clock)" if moment else None


def pytest_unconfigure(config: pytest.Config) -> None:
    global _travel
    if _travel is not None:
        _travel.stop()
        _travel = None


_moment_key = pytest.StashKey[datetime.datetime]()
