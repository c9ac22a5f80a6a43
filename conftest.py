"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest

from onewindow.core.crypto.keys import reset_caches

pytest_plugins = [
    "onewindow.testing.clock",
    "onewindow.testing.fixtures",
    "onewindow.testing.appointments",
]


@pytest.fixture(autouse=True)
def _fresh_crypto_keys(settings):  # type: ignore[no-untyped-def]
    reset_caches()
    yield
    reset_caches()


@pytest.fixture(autouse=True)
def _default_language():  # type: ignore[no-untyped-def]
    """Every test starts in the site's language: a request made in English by an earlier
    test leaves English active on the thread (LocaleMiddleware does not undo it)."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()
