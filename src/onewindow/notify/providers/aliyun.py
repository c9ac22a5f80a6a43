"""Alibaba Cloud SMS (阿里云短信服务, dysmsapi ``SendSms``, API version 2017-05-25).

Written to the vendor's published RPC signature scheme (signature version 1.0):
the request parameters are sorted, percent-encoded per RFC 3986, joined into
``POST&%2F&<encoded query>`` and signed with HMAC-SHA1 keyed by ``AccessKeySecret + "&"``.
The answer is JSON: ``{"Code": "OK", "BizId": ..., "RequestId": ...}`` on success, otherwise
an error code such as ``isv.MOBILE_NUMBER_ILLEGAL`` (permanent) or
``isv.BUSINESS_LIMIT_CONTROL`` (the vendor's own rate limit: try later).

Settings: ``SMS_ALIYUN_ACCESS_KEY_ID``, ``SMS_ALIYUN_ACCESS_KEY_SECRET``,
``SMS_ALIYUN_ENDPOINT`` (default ``https://dysmsapi.aliyuncs.com/``) and
``SMS_ALIYUN_TEMPLATES`` mapping our template codes to the vendor's approved template codes
(``login_code:SMS_123456789,case_update:SMS_987654321``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from onewindow.notify.providers.base import (
    DeliveryReceipt,
    ReceiptFormatError,
    SmsProviderError,
    SmsRequest,
    SmsResult,
)

API_VERSION = "2017-05-25"
# Vendor error codes after which sending the same message again cannot succeed.
PERMANENT_ERRORS = {
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.INVALID_PARAMETERS",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.AMOUNT_NOT_ENOUGH",
    "isv.ACCOUNT_NOT_EXISTS",
    "isv.ACCOUNT_ABNORMAL",
    "InvalidAccessKeyId.NotFound",
    "SignatureDoesNotMatch",
}


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as the vendor specifies: space → %20, * → %2A, ~ kept."""
    return quote(value, safe="~")


def string_to_sign(params: dict[str, str], method: str = "POST") -> str:
    canonical = "&".join(
        f"{percent_encode(key)}={percent_encode(params[key])}" for key in sorted(params)
    )
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def sign(params: dict[str, str], secret: str, method: str = "POST") -> str:
    digest = hmac.new(
        f"{secret}&".encode(), string_to_sign(params, method).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


def parse_templates(spec: str) -> dict[str, str]:
    pairs = (item.split(":", 1) for item in spec.split(",") if ":" in item)
    return {ours.strip(): theirs.strip() for ours, theirs in pairs}


class AliyunSmsProvider:
    name = "aliyun"

    def __init__(
        self,
        *,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        endpoint: str | None = None,
        templates: dict[str, str] | None = None,
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.access_key_id = access_key_id or settings.SMS_ALIYUN_ACCESS_KEY_ID
        self.access_key_secret = access_key_secret or settings.SMS_ALIYUN_ACCESS_KEY_SECRET
        self.endpoint = endpoint or settings.SMS_ALIYUN_ENDPOINT
        self.templates = (
            templates if templates is not None else parse_templates(settings.SMS_ALIYUN_TEMPLATES)
        )
        if not self.access_key_id or not self.access_key_secret:
            raise ImproperlyConfigured("Aliyun SMS needs SMS_ALIYUN_ACCESS_KEY_ID and _SECRET")
        self.client = httpx.Client(timeout=timeout, transport=transport)

    def build_params(self, request: SmsRequest) -> dict[str, str]:
        template_code = self.templates.get(request.template)
        if not template_code:
            raise ImproperlyConfigured(
                f"no Aliyun template code for {request.template!r} (SMS_ALIYUN_TEMPLATES)"
            )
        params = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": "cn-hangzhou",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
            "PhoneNumbers": request.phone,
            "SignName": request.sign_name,
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(request.params, ensure_ascii=False, sort_keys=True),
            # Our row id travels with the message, so receipts and support tickets match it.
            "OutId": str(request.message_id),
        }
        params["Signature"] = sign(params, self.access_key_secret)
        return params

    def send(self, request: SmsRequest) -> SmsResult:
        try:
            response = self.client.post(self.endpoint, data=self.build_params(request))
        except httpx.HTTPError as exc:
            raise SmsProviderError(f"aliyun unreachable: {exc.__class__.__name__}") from exc
        try:
            body = response.json()
        except ValueError as exc:
            raise SmsProviderError(f"aliyun answered non-JSON ({response.status_code})") from exc
        code = str(body.get("Code", ""))
        if code == "OK":
            return SmsResult(accepted=True, provider_message_id=str(body.get("BizId", "")))
        message = f"{code}: {body.get('Message', '')}"[:255]
        return SmsResult(accepted=False, error=message, retryable=code not in PERMANENT_ERRORS)


# --- delivery receipts ---------------------------------------------------------------------
# SmsReport in "HTTP batch push" mode: the vendor POSTs a JSON array of reports, e.g.
#   [{"phone_number": "1381111****", "send_time": "2017-01-01 00:00:00",
#     "report_time": "2017-01-01 00:00:00", "success": true, "err_code": "DELIVERED",
#     "err_msg": "用户接收成功", "sms_size": "1", "biz_id": "12345", "out_id": "67890"}]
# and expects {"code": 0, "msg": "接收成功"}; any other answer makes it push the batch again.
# The push carries no signature: the receiving URL holds a secret (see notify.views).
RECEIPT_MAX_ITEMS = 1000
BEIJING = timezone(timedelta(hours=8))


def parse_receipts(body: bytes) -> list[DeliveryReceipt]:
    try:
        items = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ReceiptFormatError("not JSON") from exc
    if not isinstance(items, list) or len(items) > RECEIPT_MAX_ITEMS:
        raise ReceiptFormatError("not a JSON array of at most 1000 reports")
    out = []
    for item in items:
        if not isinstance(item, dict) or not str(item.get("biz_id") or "").strip():
            raise ReceiptFormatError("a report without biz_id")
        success = item.get("success")
        if not isinstance(success, bool):
            success = str(success).lower() == "true"
        out.append(
            DeliveryReceipt(
                provider_message_id=str(item["biz_id"]).strip()[:100],
                delivered=success,
                code=str(item.get("err_code") or "")[:40],
                text=str(item.get("err_msg") or "")[:150],
                reported_at=_beijing_time(item.get("report_time")),
                our_id=str(item.get("out_id") or "")[:40],
            )
        )
    return out


def _beijing_time(value: object) -> datetime | None:
    try:
        return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None
