from __future__ import annotations

from typing import Any

import pytest

from onewindow.testing.appointments import CST, MONDAY  # noqa: F401  (the tests import them from here)
from onewindow.testing.factories import PersonFactory


@pytest.fixture(autouse=True)
def _memory_storage(memory_storage: None) -> None:
    """Every appointments test stores uploads in memory (``onewindow.testing.fixtures``)."""


@pytest.fixture
def resident(db: Any) -> Any:
    return PersonFactory()
