from __future__ import annotations

from collections.abc import Iterator

import pytest

from onewindow.notify import _templates
from onewindow.notify.providers.fake import FakeEmailProvider, FakeWechatProvider


@pytest.fixture(autouse=True)
def _memory_storage(memory_storage: None) -> None:
    """Every notify test stores uploads in memory (``onewindow.testing.fixtures``)."""


@pytest.fixture(autouse=True)
def _fresh_templates_and_fakes() -> Iterator[None]:
    """A template a test saved is forgotten with its rolled-back row; the fake email and
    WeChat providers start empty."""
    _templates.forget()
    FakeEmailProvider.reset()
    FakeWechatProvider.reset()
    yield
    _templates.forget()
    FakeEmailProvider.reset()
    FakeWechatProvider.reset()
