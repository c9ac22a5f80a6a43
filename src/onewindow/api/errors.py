"""One API error format: ``{"errors": [{"code", "message", "field"}]}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from onewindow.core.errors import ApplicationError


class ErrorItem(Schema):
    code: str
    message: str
    field: str | None


class ErrorOut(Schema):
    errors: list[ErrorItem]


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
        response = api.create_response(
            request, error_body("unauthenticated", _("需要登录或有效的访问令牌。")), status=401
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # django-ninja's body parser: the body is not JSON (its text is English, and
            # with DEBUG on it quotes the parser's exception).
            return api.create_response(
                request, error_body("json_invalid", _("请求体不是有效的 JSON。")), status=400
            )
        return api.create_response(
            request, error_body(f"http_{exc.status_code}", str(exc)), status=exc.status_code
        )

    def malformed_body(request: HttpRequest, exc: Any) -> HttpResponse:
        """Django could not read the body as the form it claims to be (a multipart body
        without a boundary, too many fields): 400, with DEBUG on as with it off."""
        return api.create_response(
            request, error_body("malformed_body", _("请求体格式不正确。")), status=400
        )

    for kind in (MultiPartParserError, SuspiciousOperation, BadRequest):
        api.add_exception_handler(kind, malformed_body)
