from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from onewindow.core.logging import request_id_var

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

Handler = Callable[[HttpRequest], HttpResponse]


class RequestIdMiddleware:
    """Takes X-Request-ID from the proxy when it looks safe, else makes one; echoes it back."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response


class StaffIdleTimeoutMiddleware:
    """Logs staff out after ``STAFF_IDLE_TIMEOUT_SECONDS`` without a request."""

    KEY = "_ow_last_seen"

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "kind", "")
            in {
                "staff",
                "operator",
            }
        ):
            now = int(time.time())
            last = request.session.get(self.KEY)
            if last is not None and now - int(last) > settings.STAFF_IDLE_TIMEOUT_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{reverse('identity:staff_login')}?timeout=1")
            request.session[self.KEY] = now
        return self.get_response(request)


class ElderModeMiddleware:
    """Elder mode (large text, high contrast) is a cookie the layout reads."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.elder_mode = request.COOKIES.get("ow_elder") == "1"  # type: ignore[attr-defined]
        return self.get_response(request)
