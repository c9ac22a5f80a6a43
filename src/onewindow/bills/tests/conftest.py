"""Bill tests run on a fixed summer day in the city, so the fakes' seasonal data is known."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from typing import Any, cast

import pytest
import time_machine

from onewindow.identity.models import Person
from onewindow.testing.factories import PersonFactory

CITY = zoneinfo.ZoneInfo("Asia/Shanghai")
SUMMER_DAY = datetime.datetime(2026, 8, 10, 10, 0, tzinfo=CITY)


@pytest.fixture
def summer() -> Iterator[Any]:
    with time_machine.travel(SUMMER_DAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def resident() -> Person:
    return cast(Person, PersonFactory(name="张小明"))


@pytest.fixture
def neighbour() -> Person:
    return cast(Person, PersonFactory(name="李四"))
