"""One API error format: ``{"errors": [{"code", "message", "field"}]}``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from onewindow.core.errors import ApplicationError


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message, "field": field}]}


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApplicationError)
    def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        response = api.create_response(request, exc.as_payload(), status=exc.status)
        if hasattr(exc, "retry_after"):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = []
        for err in exc.errors:
            loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query")]
            kind = err.get("type", "invalid")
            if kind == "extra_forbidden":
                message = _("不允许的字段。")
            elif kind == "missing":
                message = _("此字段为必填项。")
            elif kind == "json_invalid":
                message = _("请求体不是有效的 JSON。")
            else:
                message = _("字段值无效：%(detail)s") % {"detail": err.get("msg", "")}
            errors.append({"code": kind, "message": message, "field": ".".join(loc) or None})
        return api.create_response(request, {"errors": errors}, status=422)

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, error_body("unauthenticated", _("需要登录或有效的访问令牌。")), status=401
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(
            request, error_body(f"http_{exc.status_code}", str(exc)), status=exc.status_code
        )
