from __future__ import annotations

from typing import Any

import pytest

from onewindow.testing.outreach import rules_load


@pytest.fixture
def rules(db: Any) -> None:
    """The rules under catalog/push-rules/, loaded (none switched on)."""
    rules_load()
