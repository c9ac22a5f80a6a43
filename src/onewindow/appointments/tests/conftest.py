from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.appointments.models import AppointmentResource
from onewindow.appointments.seed import resources_seed
from onewindow.audit.services import Actor
from onewindow.catalog.models import ServiceVersion
from onewindow.catalog.services import service_packages_import
from onewindow.testing.demo_packages import catalog_dir
from onewindow.testing.factories import PersonFactory

CST = ZoneInfo("Asia/Shanghai")
# Monday before the 2026 National Day holiday (10-01 … 10-07; Saturday 10-10 is worked).
MONDAY = datetime.datetime(2026, 9, 28, 10, 0, tzinfo=CST)


@pytest.fixture(autouse=True)
def _memory_storage(memory_storage: None) -> None:
    """Every appointments test stores uploads in memory (``onewindow.testing.fixtures``)."""


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def registry(city: None, clock: Any) -> AppointmentResource:
    resources_seed(days=6)
    return AppointmentResource.objects.get(code="marriage-registry")


@pytest.fixture
def marriage(city: None) -> ServiceVersion:
    folder = catalog_dir() / "marriage-registration"
    return service_packages_import(actor=Actor.system("test"), paths=[folder])[0]


@pytest.fixture
def resident(db: Any) -> Any:
    return PersonFactory()
