from __future__ import annotations

from collections.abc import Iterator

import pytest

from onewindow.cases.tests.conftest import (  # noqa: F401  (fixtures for cases)
    _memory_storage,
    city,
    company_for,
    parallel_service,
    resident,
    staff,
)
from onewindow.notify.providers.fake import FakeSmsProvider


@pytest.fixture
def fake_sms() -> Iterator[type[FakeSmsProvider]]:
    FakeSmsProvider.reset()
    yield FakeSmsProvider
    FakeSmsProvider.reset()
