"""What every GeoReport v2 endpoint does around its own work: it answers only the methods it
offers (405 and ``Allow`` otherwise), refuses a bad parameter with 400, and turns any other
failure into a 500 — each in the specification's error format, in the caller's language
(``Accept-Language``), never an HTML page. Posting needs no CSRF token: callers are systems
with keys, not browsers with sessions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from onewindow.core.access import PUBLIC, access
from onewindow.interaction.open311.render import error

log = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


class BadParameter(Exception):
    """A parameter the caller got wrong: answered 400 with this description."""

    def __init__(self, description: object) -> None:
        super().__init__(str(description))
        self.description = description


def not_allowed(fmt: str, allowed: set[str], description: object = None) -> HttpResponse:
    response = error(fmt, 405, description or _("不支持该请求方法。"))
    response["Allow"] = ", ".join(sorted(allowed))
    return response


def endpoint(*methods: str, refused: object = None) -> Callable[[View], View]:
    """The view answers ``methods`` (HEAD too, with GET); ``refused`` is the description of
    the 405 for the others (else a general one)."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                return not_allowed(fmt, allowed, refused)
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except BadParameter as exc:
                return error(fmt, 400, exc.description)
            except Exception:
                log.exception("open311 %s %s failed", request.method, request.path)
                return error(fmt, 500, _("服务器内部错误，请稍后再试。"))

        return csrf_exempt(access(PUBLIC)(wrapper))

    return decorator


@csrf_exempt
@access(PUBLIC)
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under the interface: 404, in JSON when it asked for JSON, else in XML
    (the format every GeoReport server speaks)."""
    fmt = "json" if rest.endswith(".json") else "xml"
    return error(fmt, 404, _("请求的资源不存在。"))
