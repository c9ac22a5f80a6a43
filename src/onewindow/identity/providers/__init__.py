"""Real-name verification providers (公安人口库 / 实名核验 gateways), chosen by
``settings.REALNAME_VERIFIER`` (default ``"fake"``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from onewindow.identity.providers.base import RealNameVerifier


def get_realname_verifier(name: str | None = None) -> RealNameVerifier:
    name = name or getattr(settings, "REALNAME_VERIFIER", "fake")
    if name == "fake":
        from onewindow.identity.providers.fake import FakeRealNameVerifier

        return FakeRealNameVerifier()
    raise ImproperlyConfigured(f"unknown real-name verifier {name!r}")
