"""The case tests keep their uploads in memory. Their fixtures (the demo city, its staff,
the resident, the published service package) are shared with other apps' tests in
``onewindow.testing.fixtures``."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _memory_storage(memory_storage: None) -> None:
    """Every case test stores uploads in memory (``onewindow.testing.fixtures``)."""
