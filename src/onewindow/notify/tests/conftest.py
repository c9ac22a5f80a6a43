from __future__ import annotations

from collections.abc import Iterator

import pytest

from onewindow.cases.tests.conftest import (  # noqa: F401  (fixtures for cases: notify.send)
    _memory_storage,
    city,
    resident,
    staff,
)
from onewindow.notify.providers.fake import FakeSmsProvider


@pytest.fixture
def fake_sms() -> Iterator[type[FakeSmsProvider]]:
    FakeSmsProvider.reset()
    yield FakeSmsProvider
    FakeSmsProvider.reset()
