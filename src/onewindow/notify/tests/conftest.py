from __future__ import annotations

from collections.abc import Iterator

import pytest

from onewindow.notify.providers.fake import FakeSmsProvider


@pytest.fixture(autouse=True)
def _memory_storage(memory_storage: None) -> None:
    """Every notify test stores uploads in memory (``onewindow.testing.fixtures``)."""


@pytest.fixture
def fake_sms() -> Iterator[type[FakeSmsProvider]]:
    FakeSmsProvider.reset()
    yield FakeSmsProvider
    FakeSmsProvider.reset()
