from __future__ import annotations

from collections.abc import Iterator

import pytest

from onewindow.onepass.providers.fake import FakeLibrary, FakeVolunteers
from onewindow.onepass.sip2server import LOGIN_PASSWORD, LOGIN_USER, Sip2Server


@pytest.fixture(autouse=True)
def fresh_fakes() -> Iterator[None]:
    FakeLibrary.reset()
    FakeVolunteers.reset()
    yield
    FakeLibrary.reset()
    FakeVolunteers.reset()


@pytest.fixture
def sip2_server() -> Iterator[Sip2Server]:
    with Sip2Server() as server:
        yield server


@pytest.fixture
def sip2_settings(settings: object, sip2_server: Sip2Server) -> Sip2Server:
    """The platform configured to talk SIP2 to the local server."""
    settings.ONEPASS_LIBRARY = "sip2"  # type: ignore[attr-defined]
    settings.ONEPASS_SIP2_HOST = "127.0.0.1"  # type: ignore[attr-defined]
    settings.ONEPASS_SIP2_PORT = str(sip2_server.port)  # type: ignore[attr-defined]
    settings.ONEPASS_SIP2_USER = LOGIN_USER  # type: ignore[attr-defined]
    settings.ONEPASS_SIP2_PASSWORD = LOGIN_PASSWORD  # type: ignore[attr-defined]
    settings.ONEPASS_SIP2_TIMEOUT = "2"  # type: ignore[attr-defined]
    return sip2_server
