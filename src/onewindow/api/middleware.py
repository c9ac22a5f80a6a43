"""Guards in front of the API: bodies over the size limit are refused before parsing, and
responses Django itself produces for /api/ paths (unknown URL, wrong method) use the API's
error format instead of an HTML page (keeping their headers: a 405 still says ``Allow``)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from onewindow.api.errors import error_body

API_PREFIX = "/api/"


class ApiGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > settings.API_MAX_BODY_BYTES:
            message = _("请求体过大，上限为 %(limit)d 字节。") % {
                "limit": settings.API_MAX_BODY_BYTES
            }
            return JsonResponse(error_body("body_too_large", message), status=413)
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if response.status_code >= 400 and not content_type.startswith("application/json"):
            rebuilt = JsonResponse(_plain_error(response.status_code), status=response.status_code)
            for header, value in response.items():
                # Only the body changes: Allow (405), Retry-After and the rest stay.
                if header.lower() not in {"content-type", "content-length"}:
                    rebuilt[header] = value
            rebuilt.cookies = response.cookies
            return rebuilt
        return response


def _plain_error(status: int) -> dict[str, object]:
    if status == 404:
        return error_body("not_found", _("请求的资源不存在。"))
    if status == 405:
        return error_body("method_not_allowed", _("不支持该请求方法。"))
    if status == 403:
        return error_body("forbidden", _("没有权限执行此操作。"))
    if status >= 500:
        return error_body("server_error", _("服务器内部错误，请稍后再试。"))
    return error_body(f"http_{status}", _("请求无效。"))
