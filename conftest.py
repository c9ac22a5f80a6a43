"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest

from onewindow.core.crypto.keys import reset_caches


@pytest.fixture(autouse=True)
def _fresh_crypto_keys(settings):  # type: ignore[no-untyped-def]
    reset_caches()
    yield
    reset_caches()
