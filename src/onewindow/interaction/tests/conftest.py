"""The hotline tests keep attachments in memory."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _memory_storage(memory_storage: None) -> None:
    """Every interaction test stores uploads in memory (``onewindow.testing.fixtures``)."""
