"""``POST /api/v1/exchange/query``: public at the HTTP level, every call signed (gateway.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from onewindow.api.errors import ErrorOut, error_body
from onewindow.audit.services import client_ip
from onewindow.exchange import gateway
from onewindow.exchange.gateway import gateway_call

router = Router(tags=["exchange"])

MESSAGES = {
    "malformed_headers": _("请求头缺失或格式不正确。"),
    "unknown_consumer": _("调用方不存在或已停用。"),
    "stale_timestamp": _("请求时间戳超出允许范围。"),
    "bad_signature": _("签名校验失败。"),
    "replayed": _("请求编号已使用，拒绝重放。"),
    "bad_request": _("请求体格式不正确。"),
    "unknown_resource": _("数据资源不存在。"),
    "no_purpose": _("请说明查询目的。"),
    "no_grant": _("未获得该资源的授权。"),
    "grant_expired": _("授权已过期。"),
    "rate_limited": _("调用过于频繁，请稍后再试。"),
}


class QueryOut(Schema):
    request_id: str
    resource: str
    found: bool
    data: dict[str, Any]
    withheld: list[str]


def _header(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "in": "header",
        "name": f"X-OW-{name}",
        "required": True,
        "description": description,
        "schema": {"type": "string", **schema},
    }


# The gateway reads the raw body (its SHA-256 is signed), so the body and the signature
# headers are declared here, as gateway.py checks them; a missing or malformed header is 401.
SIGNED_CALL = {
    "x-unvalidated": True,  # nothing here is refused 422 (onewindow.api.openapi)
    "parameters": [
        _header("Consumer", "the consumer's code"),
        _header("Timestamp", f"Unix seconds, within {gateway.MAX_SKEW} s of the server's clock"),
        _header(
            "Request-Id",
            "unique per consumer; a replay is refused (409)",
            pattern=gateway.REQUEST_ID.pattern,
        ),
        _header("Purpose", "the purpose of this look-up, percent-encoded UTF-8"),
        _header(
            "Signature-Alg",
            "`hmac-sha256` or `hmac-sm3` (HMAC consumers), `sm2` (SM2 consumers)",
            enum=["hmac-sha256", "hmac-sm3", "sm2"],
        ),
        _header(
            "Signature",
            "hex of the signature over `POST\\n<path>\\n<consumer>\\n<timestamp>\\n"
            "<request id>\\n<purpose as sent>\\n<SHA-256 hex of the body>`",
        ),
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["resource", "subject"],
                    "properties": {
                        "resource": {"type": "string", "description": "the resource's code"},
                        "subject": {
                            "type": "object",
                            "required": ["id_number"],
                            "properties": {"id_number": {"type": "string"}},
                        },
                        "fields": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "the fields wanted (default: all granted)",
                        },
                    },
                }
            }
        },
    },
}


@router.post(
    "/exchange/query",
    auth=None,
    response={
        200: QueryOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        429: ErrorOut,
    },
    summary="Query a shared data resource about one person (signed call)",
    openapi_extra=SIGNED_CALL,
)
def exchange_query(request: HttpRequest) -> Any:
    """Query a shared data resource about one person; returns only the granted fields.
    Refusals: 401 unsigned, unknown consumer, stale timestamp or bad signature; 409 a
    replayed request id; 400 a body that is not the query; 404 an unknown resource; 403
    no grant (or an expired one); 429 over the grant's rate."""
    result = gateway_call(
        path=request.path, headers=request.headers, body=request.body, ip=client_ip(request)
    )
    if not result.ok:
        message = str(MESSAGES.get(result.reason, _("请求被拒绝。")))
        return JsonResponse(error_body(result.reason, message), status=result.status)
    return {
        "request_id": result.log.request_id if result.log else "",
        "resource": result.log.resource_code if result.log else "",
        "found": result.found,
        "data": result.data,
        "withheld": result.withheld,
    }
