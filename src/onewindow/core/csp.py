"""Content-Security-Policy on every response (django-csp; the policy is in settings).

``form-action`` restricts where a form may be submitted *and where that submission may be
redirected to* (Chromium checks every redirect of a form's navigation). Some of the
platform's forms end on another site on purpose: the SSO consent and login forms redirect to
a department system's registered redirect URI, the RP-initiated logout form to its
post-logout URI, and the fee page to the payment gateway. The apps that own those places name
their origins through ``CSP_FORM_ACTION_SOURCES`` (dotted paths of functions returning
origins), and this middleware adds them to ``form-action`` of HTML pages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


def origin_of(url: str) -> str:
    """``https://host[:port]`` of an absolute http(s) URL, or ``""``."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return ""
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


@cache
def _sources() -> tuple[Callable[[], Sequence[str]], ...]:
    return tuple(import_string(path) for path in getattr(settings, "CSP_FORM_ACTION_SOURCES", ()))


def form_action_origins() -> list[str]:
    """The origins the platform's forms may lead to, beyond its own."""
    found: list[str] = []
    for source in _sources():
        try:
            found += [o for o in source() if o]
        except Exception:  # a source failing must not take every page down with it
            log.exception("CSP form-action source %r failed", source)
    return sorted(set(found))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with ``form-action`` extended on HTML pages by the origins
    of ``CSP_FORM_ACTION_SOURCES``."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or not response.get("Content-Type", "").startswith("text/html"):
            return parts
        extra = form_action_origins()
        if extra:
            update: dict[str, Any] = dict(parts.update or {})  # added to the settings' list
            update["form-action"] = [*(update.get("form-action") or ()), *extra]
            parts.update = update
        return parts
