"""``POST /api/v1/exchange/query``: public at the HTTP level, every call signed (gateway.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router

from onewindow.api.errors import error_body
from onewindow.audit.services import client_ip
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


@router.post("/exchange/query", auth=None, response={200: dict[str, Any]})
def exchange_query(request: HttpRequest) -> Any:
    """Query a shared data resource about one person; returns only the granted fields."""
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
