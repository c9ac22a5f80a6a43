from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from onewindow.outreach.facts import bill_source_set
from onewindow.testing.outreach import rules_load


@pytest.fixture
def rules(db: Any) -> None:
    """The rules under catalog/push-rules/, loaded (none switched on)."""
    rules_load()


@pytest.fixture(autouse=True)
def _bills_back() -> Iterator[None]:
    yield
    bill_source_set(None)
