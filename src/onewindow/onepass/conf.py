"""Which library and volunteer platform OneWindow talks to; Django settings override the
environment (``ONEWINDOW_<NAME>``)."""

from __future__ import annotations

import os

from django.conf import settings

from onewindow.onepass.providers.base import LibraryProvider, VolunteerConnector


def setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, None) or os.environ.get(f"ONEWINDOW_{name}", default))


def library() -> LibraryProvider:
    """``ONEPASS_LIBRARY``: ``fake`` (default) or ``sip2`` (host, port, institution, the
    self-service login the library issued)."""
    name = setting("ONEPASS_LIBRARY", "fake")
    if name == "sip2":
        from onewindow.onepass.providers.sip2 import Sip2Library

        return Sip2Library(
            host=setting("ONEPASS_SIP2_HOST", "127.0.0.1"),
            port=int(setting("ONEPASS_SIP2_PORT", "6001")),
            institution=setting("ONEPASS_SIP2_INSTITUTION", "GZLIB"),
            login_user=setting("ONEPASS_SIP2_USER"),
            login_password=setting("ONEPASS_SIP2_PASSWORD"),
            location=setting("ONEPASS_SIP2_LOCATION", "ONEWINDOW"),
            timeout=float(setting("ONEPASS_SIP2_TIMEOUT", "5")),
            encoding=setting("ONEPASS_SIP2_ENCODING", "utf-8"),
        )
    from onewindow.onepass.providers.fake import FakeLibrary

    return FakeLibrary()


def volunteers() -> VolunteerConnector:
    """``ONEPASS_VOLUNTEERS``: ``fake`` (default) or ``http`` (the published interface:
    base URL, key id and the shared HMAC secret)."""
    name = setting("ONEPASS_VOLUNTEERS", "fake")
    if name == "http":
        from onewindow.onepass.providers.volunteer_http import VolunteerHttp

        return VolunteerHttp(
            base_url=setting("ONEPASS_VOLUNTEER_URL", "http://127.0.0.1:6002"),
            key_id=setting("ONEPASS_VOLUNTEER_KEY_ID", "onewindow"),
            secret=setting("ONEPASS_VOLUNTEER_SECRET"),
            timeout=float(setting("ONEPASS_VOLUNTEER_TIMEOUT", "5")),
        )
    from onewindow.onepass.providers.fake import FakeVolunteers

    return FakeVolunteers()
