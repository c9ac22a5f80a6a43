"""Tencent Cloud SMS (腾讯云短信, API 3.0 ``SendSms``, version 2021-01-11).

Signed with TC3-HMAC-SHA256 as the vendor publishes it: a canonical request (method, URI
``/``, empty query, the ``content-type`` and ``host`` headers, the SHA-256 of the JSON
body) is hashed into the string to sign ``TC3-HMAC-SHA256\\n<timestamp>\\n<date>/sms/
tc3_request\\n<hash>``, signed with a key derived ``HMAC("TC3"+SecretKey, date) → service →
"tc3_request"``, and sent as ``Authorization: TC3-HMAC-SHA256 Credential=…,
SignedHeaders=content-type;host, Signature=…`` with ``X-TC-Action``, ``X-TC-Timestamp``,
``X-TC-Version`` and ``X-TC-Region``.

The body names the app (``SmsSdkAppId``), the sign, the vendor's approved template id and
its parameters as an ordered list (``TemplateParamSet``: our template's variables in the
order its text uses them); ``SessionContext`` carries our row id. The answer is
``{"Response": {"SendStatusSet": [{"SerialNo", "Code": "Ok", …}], "RequestId"}}``, or
``{"Response": {"Error": {"Code", "Message"}}}`` for a request refused as a whole.

Delivery receipts (短信下发状态回调) are pushed as a JSON array of
``{"user_receive_time", "nationcode", "mobile", "report_status": "SUCCESS"|"FAIL",
"errmsg", "description", "sid"}`` and answered ``{"result": 0, "errmsg": "OK"}``.

Settings: ``SMS_TENCENT_SECRET_ID``, ``SMS_TENCENT_SECRET_KEY``, ``SMS_TENCENT_APP_ID``,
``SMS_TENCENT_ENDPOINT`` (default ``https://sms.tencentcloudapi.com/``),
``SMS_TENCENT_REGION`` (``ap-guangzhou``) and ``SMS_TENCENT_TEMPLATES``
(``login_code:1234567,case_submitted:1234568``)."""

from __future__ import annotations

import hashlib
import hmac
import json
import string
import time
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlparse

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from onewindow.notify.providers.base import (
    DeliveryReceipt,
    ProviderError,
    ReceiptFormatError,
    SendResult,
    SmsRequest,
)

SERVICE = "sms"
VERSION = "2021-01-11"
ACTION = "SendSms"
CONTENT_TYPE = "application/json; charset=utf-8"
# Codes (or code prefixes) after which sending the same message again cannot succeed.
PERMANENT_PREFIXES = (
    "AuthFailure",
    "InvalidParameter",
    "InvalidParameterValue",
    "MissingParameter",
    "UnauthorizedOperation",
    "UnsupportedOperation",
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.InsufficientBalanceInSmsPackage",
    "FailedOperation.MissingTemplateToModify",
    "FailedOperation.ContainSensitiveWord",
)


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def tc3_authorization(
    *,
    secret_id: str,
    secret_key: str,
    service: str,
    host: str,
    payload: bytes,
    timestamp: int,
    content_type: str = CONTENT_TYPE,
) -> str:
    """The ``Authorization`` header of a POST to ``host`` with ``payload``."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    signed_headers = "content-type;host"
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{content_type}\nhost:{host}\n",
            signed_headers,
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )


def parse_templates(spec: str) -> dict[str, str]:
    pairs = (item.split(":", 1) for item in spec.split(",") if ":" in item)
    return {ours.strip(): theirs.strip() for ours, theirs in pairs}


def param_order(template: str) -> list[str]:
    """Our template's variables in the order its Chinese text uses them (each once)."""
    from onewindow.notify.messages import template_text

    seen: list[str] = []
    for _, name, _, _ in string.Formatter().parse(template_text(template).body):
        if name and name not in seen:
            seen.append(name)
    return seen


def _permanent(code: str) -> bool:
    return any(code == p or code.startswith(p + ".") for p in PERMANENT_PREFIXES)


class TencentSmsProvider:
    name = "tencent"

    def __init__(
        self,
        *,
        secret_id: str | None = None,
        secret_key: str | None = None,
        app_id: str | None = None,
        endpoint: str | None = None,
        region: str | None = None,
        templates: dict[str, str] | None = None,
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.secret_id = secret_id or settings.SMS_TENCENT_SECRET_ID
        self.secret_key = secret_key or settings.SMS_TENCENT_SECRET_KEY
        self.app_id = app_id or settings.SMS_TENCENT_APP_ID
        self.endpoint = endpoint or settings.SMS_TENCENT_ENDPOINT
        self.region = region or settings.SMS_TENCENT_REGION
        self.templates = (
            templates if templates is not None else parse_templates(settings.SMS_TENCENT_TEMPLATES)
        )
        if not self.secret_id or not self.secret_key or not self.app_id:
            raise ImproperlyConfigured(
                "Tencent SMS needs SMS_TENCENT_SECRET_ID, _SECRET_KEY and _APP_ID"
            )
        self.client = httpx.Client(timeout=timeout, transport=transport)

    def body(self, request: SmsRequest) -> dict[str, object]:
        template_id = self.templates.get(request.template)
        if not template_id:
            raise ImproperlyConfigured(
                f"no Tencent template id for {request.template!r} (SMS_TENCENT_TEMPLATES)"
            )
        phone = request.phone if request.phone.startswith("+") else f"+86{request.phone}"
        return {
            "PhoneNumberSet": [phone],
            "SmsSdkAppId": self.app_id,
            "SignName": request.sign_name,
            "TemplateId": template_id,
            "TemplateParamSet": [request.params.get(n, "") for n in param_order(request.template)],
            "SessionContext": str(request.message_id),
        }

    def send(self, request: SmsRequest) -> SendResult:
        payload = json.dumps(self.body(request), ensure_ascii=False).encode()
        host = urlparse(self.endpoint).netloc
        timestamp = int(time.time())
        headers = {
            "Authorization": tc3_authorization(
                secret_id=self.secret_id,
                secret_key=self.secret_key,
                service=SERVICE,
                host=host,
                payload=payload,
                timestamp=timestamp,
            ),
            "Content-Type": CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": ACTION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": VERSION,
            "X-TC-Region": self.region,
        }
        try:
            response = self.client.post(self.endpoint, content=payload, headers=headers)
        except httpx.HTTPError as exc:
            raise ProviderError(f"tencent unreachable: {exc.__class__.__name__}") from exc
        try:
            answer = response.json()["Response"]
            if not isinstance(answer, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError) as exc:
            raise ProviderError(f"tencent answered garbage ({response.status_code})") from exc
        error = answer.get("Error")
        if isinstance(error, dict):
            code = str(error.get("Code", ""))
            message = f"{code}: {error.get('Message', '')}"[:255]
            return SendResult(accepted=False, error=message, retryable=not _permanent(code))
        statuses = answer.get("SendStatusSet")
        if (
            not isinstance(statuses, list)
            or len(statuses) != 1
            or not isinstance(statuses[0], dict)
        ):
            raise ProviderError("tencent answered without one send status")
        status = statuses[0]
        code = str(status.get("Code", ""))
        if code == "Ok":
            return SendResult(
                accepted=True, provider_message_id=str(status.get("SerialNo", ""))[:100]
            )
        message = f"{code}: {status.get('Message', '')}"[:255]
        return SendResult(accepted=False, error=message, retryable=not _permanent(code))


# --- delivery receipts ---------------------------------------------------------------------
RECEIPT_MAX_ITEMS = 1000
BEIJING = timezone(timedelta(hours=8))
RECEIPT_ANSWER = {"result": 0, "errmsg": "OK"}


def parse_receipts(body: bytes) -> list[DeliveryReceipt]:
    try:
        items = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ReceiptFormatError("not JSON") from exc
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or len(items) > RECEIPT_MAX_ITEMS:
        raise ReceiptFormatError("not a JSON array of at most 1000 reports")
    out = []
    for item in items:
        if not isinstance(item, dict) or not str(item.get("sid") or "").strip():
            raise ReceiptFormatError("a report without sid")
        try:
            when = datetime.strptime(str(item.get("user_receive_time")), "%Y-%m-%d %H:%M:%S")
            reported = when.replace(tzinfo=BEIJING)
        except ValueError:
            reported = None
        out.append(
            DeliveryReceipt(
                provider_message_id=str(item["sid"]).strip()[:100],
                delivered=str(item.get("report_status", "")).upper() == "SUCCESS",
                code=str(item.get("errmsg") or "")[:40],
                text=str(item.get("description") or "")[:150],
                reported_at=reported,
            )
        )
    return out
