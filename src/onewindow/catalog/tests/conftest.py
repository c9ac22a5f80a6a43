from __future__ import annotations

import pytest

from onewindow.audit.services import Actor


@pytest.fixture
def actor() -> Actor:
    return Actor.system("test")
