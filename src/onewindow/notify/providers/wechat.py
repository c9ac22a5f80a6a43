"""WeChat official account (微信公众号) messages over WeChat's public HTTP API.

- ``GET /cgi-bin/token?grant_type=client_credential&appid=…&secret=…`` gives an
  ``access_token`` valid ``expires_in`` seconds (7200); it is cached (Django's cache, shared
  by the workers at scale) until five minutes before it expires.
- Template messages (模板消息): ``POST /cgi-bin/message/template/send?access_token=…`` with
  ``{"touser", "template_id", "url", "client_msg_id", "data": {field: {"value": …}}}``;
  ``client_msg_id`` (our row id) makes WeChat drop a repeat of the same message for ten
  minutes, so a send retried after a lost answer is not shown twice.
- Subscription messages (订阅通知): ``POST /cgi-bin/message/subscribe/bizsend`` with
  ``{"touser", "template_id", "page", "data"}``.

The answer is ``{"errcode": 0, "errmsg": "ok", "msgid": 200228332}`` or an error code:
40001 / 40014 / 42001 (the token is no longer valid: fetched again once and the send
repeated), 43101 (the person refused the message or never subscribed: told by SMS instead),
45009 / 45047 / -1 (quota or system busy: retried later), 40003 / 40037 / 47003 and the rest
(permanent). Delivery is reported later by the ``TEMPLATESENDJOBFINISH`` event pushed to
the account's server URL (:func:`parse_event`).

Settings: ``NOTIFY_WECHAT_APPID``, ``NOTIFY_WECHAT_SECRET``, ``NOTIFY_WECHAT_API``
(default ``https://api.weixin.qq.com``) and ``NOTIFY_WECHAT_TOKEN`` (the server URL's
signature token)."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from xml.etree import ElementTree

import httpx
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from onewindow.core.crypto.digests import constant_time_equal
from onewindow.notify.providers.base import (
    DeliveryReceipt,
    ProviderError,
    ReceiptFormatError,
    SendResult,
    WechatRequest,
)

TOKEN_INVALID = {40001, 40014, 42001}
REFUSED = 43101
RETRYABLE = {-1, 45009, 45047, 45011}
TOKEN_MARGIN_SECONDS = 300


class WechatOfficialAccountProvider:
    name = "wechat"

    def __init__(
        self,
        *,
        appid: str | None = None,
        secret: str | None = None,
        api: str | None = None,
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.appid = appid or settings.NOTIFY_WECHAT_APPID
        self.secret = secret or settings.NOTIFY_WECHAT_SECRET
        self.api = (api or settings.NOTIFY_WECHAT_API).rstrip("/")
        if not self.appid or not self.secret:
            raise ImproperlyConfigured("WeChat needs NOTIFY_WECHAT_APPID and NOTIFY_WECHAT_SECRET")
        self.client = httpx.Client(timeout=timeout, transport=transport)

    @property
    def _cache_key(self) -> str:
        return f"notify:wechat:token:{self.appid}"

    def access_token(self, *, fresh: bool = False) -> str:
        if not fresh:
            cached = cache.get(self._cache_key)
            if isinstance(cached, str) and cached:
                return cached
        body = self._call(
            "GET",
            "/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise ProviderError(f"wechat token: {body.get('errcode')} {body.get('errmsg', '')}")
        try:
            lifetime = int(body.get("expires_in", 7200))
        except (TypeError, ValueError):
            lifetime = 7200
        cache.set(self._cache_key, token, max(60, lifetime - TOKEN_MARGIN_SECONDS))
        return token

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.client.request(method, f"{self.api}{path}", **kwargs)
        except httpx.HTTPError as exc:
            raise ProviderError(f"wechat unreachable: {exc.__class__.__name__}") from exc
        try:
            body = response.json()
        except ValueError as exc:
            raise ProviderError(f"wechat answered non-JSON ({response.status_code})") from exc
        if not isinstance(body, dict):
            raise ProviderError(f"wechat answered {type(body).__name__}, not an object")
        return body

    def payload(self, request: WechatRequest) -> tuple[str, dict[str, Any]]:
        data = {name: {"value": value} for name, value in request.data.items()}
        if request.kind == "subscribe":
            body: dict[str, Any] = {
                "touser": request.openid,
                "template_id": request.template_id,
                "data": data,
            }
            if request.url:
                body["page"] = request.url
            return "/cgi-bin/message/subscribe/bizsend", body
        body = {
            "touser": request.openid,
            "template_id": request.template_id,
            "client_msg_id": f"onewindow-{request.message_id}",
            "data": data,
        }
        if request.url:
            body["url"] = request.url
        return "/cgi-bin/message/template/send", body

    def send(self, request: WechatRequest) -> SendResult:
        path, body = self.payload(request)
        content = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        for fresh in (False, True):
            token = self.access_token(fresh=fresh)
            answer = self._call(
                "POST", path, params={"access_token": token}, content=content, headers=headers
            )
            try:
                code = int(answer.get("errcode", 0))
            except (TypeError, ValueError) as exc:
                raise ProviderError("wechat answered a non-numeric errcode") from exc
            if code in TOKEN_INVALID and not fresh:
                cache.delete(self._cache_key)
                continue
            break
        error = f"{code}: {str(answer.get('errmsg', ''))[:200]}"
        if code == 0:
            return SendResult(accepted=True, provider_message_id=str(answer.get("msgid", ""))[:100])
        if code == REFUSED:
            return SendResult(accepted=False, error=error, retryable=False, refused=True)
        return SendResult(accepted=False, error=error, retryable=code in RETRYABLE)


# --- the server URL: signature and events ------------------------------------------------------


def signature(token: str, timestamp: str, nonce: str) -> str:
    """``sha1`` of the token, timestamp and nonce sorted and joined (WeChat's server check)."""
    joined = "".join(sorted([token, timestamp, nonce])).encode()
    return hashlib.sha1(joined).hexdigest()  # noqa: S324 (the protocol's own check)


def signature_valid(token: str, timestamp: str, nonce: str, given: str) -> bool:
    return bool(token) and constant_time_equal(signature(token, timestamp, nonce), given)


EVENT_MAX_BYTES = 64 * 1024


def parse_event(body: bytes) -> DeliveryReceipt | None:
    """A ``TEMPLATESENDJOBFINISH`` event as a receipt (``None`` for any other event)::

        <xml><ToUserName><![CDATA[gh_…]]></ToUserName><FromUserName><![CDATA[openid]]>
        </FromUserName><CreateTime>1395658920</CreateTime><MsgType><![CDATA[event]]></MsgType>
        <Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>200163836</MsgID>
        <Status><![CDATA[success]]></Status></xml>

    Status ``success``, ``failed:user block`` or ``failed: system failed``."""
    if len(body) > EVENT_MAX_BYTES or b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise ReceiptFormatError("not an event")
    try:
        # no DTD reaches the parser (refused above), so no entity expansion
        root = ElementTree.fromstring(body)  # noqa: S314
    except ElementTree.ParseError as exc:
        raise ReceiptFormatError("not XML") from exc
    if root.tag != "xml":
        raise ReceiptFormatError("not an event")
    event = (root.findtext("Event") or "").strip()
    if event.upper() != "TEMPLATESENDJOBFINISH":
        return None
    msgid = (root.findtext("MsgID") or root.findtext("MsgId") or "").strip()
    if not msgid:
        raise ReceiptFormatError("an event without MsgID")
    status = (root.findtext("Status") or "").strip()
    return DeliveryReceipt(
        provider_message_id=msgid[:100],
        delivered=status == "success",
        code=status[:40],
        text="" if status == "success" else status[:150],
    )
