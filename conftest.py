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
def _empty_cache():  # type: ignore[no-untyped-def]
    """Every test starts with an empty cache: what an earlier test kept (a resident's page
    under their account's id, which a later test's database reuses) is not this test's."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():  # type: ignore[no-untyped-def]
    """Every test starts in the site's language: a request made in English by an earlier
    test leaves English active on the thread (LocaleMiddleware does not undo it)."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()
