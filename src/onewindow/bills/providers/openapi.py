"""The OneWindow bill-provider interface (docs/bill-provider-openapi.yaml, docs/bills.md):
any utility, social-insurance or housing-fund agency or phone operator that serves it can
connect. Requests and answers are HMAC-SHA256 signed (providers/signing.py)."""

from __future__ import annotations

import datetime
import json
import urllib.parse
from typing import Any

from django.utils import timezone

from onewindow.bills.providers.base import (
    AccountCheck,
    BillBatch,
    ProviderError,
    ProviderMalformed,
    batch_from,
)
from onewindow.bills.providers.http import Answer, exchange
from onewindow.bills.providers.signing import sign_request, verify_response


class OpenApiProvider:
    def __init__(
        self,
        *,
        code: str,
        kind: str,
        base_url: str,
        client_id: str,
        secret: str,
        timeout: float = 5.0,
    ) -> None:
        self.code = code
        self.kind = kind
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.secret = secret
        self.timeout = timeout

    @classmethod
    def from_options(cls, *, code: str, kind: str, options: dict[str, Any]) -> OpenApiProvider:
        return cls(
            code=code,
            kind=kind,
            base_url=str(options["base_url"]),
            client_id=str(options["client_id"]),
            secret=str(options["secret"]),
            timeout=float(options.get("timeout", 5.0)),
        )

    def _call(self, method: str, path: str, payload: dict[str, Any] | None) -> Any:
        body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        prefix = urllib.parse.urlsplit(self.base_url).path
        headers = sign_request(
            client_id=self.client_id,
            secret=self.secret,
            method=method,
            path=prefix + path,
            body=body,
        )
        headers["Accept"] = "application/json"
        if payload is not None:
            headers["Content-Type"] = "application/json"
        answer = exchange(
            method=method,
            url=self.base_url + path,
            headers=headers,
            body=body if payload is not None else None,
            timeout=self.timeout,
        )
        return self._read(answer, headers["X-OW-Nonce"])

    def _read(self, answer: Answer, nonce: str) -> Any:
        excerpt = answer.body[:2000].decode("utf-8", "replace")
        if answer.status >= 400:
            raise ProviderError(f"HTTP {answer.status}: {excerpt[:120]}")
        lowered = {k.lower(): v for k, v in answer.headers.items()}
        signed = verify_response(
            secret=self.secret,
            status=answer.status,
            nonce=nonce,
            body=answer.body,
            headers={
                "X-OW-Timestamp": lowered.get("x-ow-timestamp", ""),
                "X-OW-Signature": lowered.get("x-ow-signature", ""),
            },
        )
        if not signed:
            raise ProviderMalformed("应答签名无效或已过期", excerpt)
        try:
            return json.loads(answer.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ProviderMalformed("应答不是JSON", excerpt) from exc

    def verify_account(self, *, account_number: str) -> AccountCheck:
        data = self._call(
            "POST", "/v1/accounts/verify", {"kind": self.kind, "account_number": account_number}
        )
        if not isinstance(data, dict) or not isinstance(data.get("found"), bool):
            raise ProviderMalformed(
                "核验应答格式不正确", json.dumps(data, ensure_ascii=False)[:2000]
            )
        if not data["found"]:
            return AccountCheck(found=False)
        if data.get("account_number") != account_number:
            raise ProviderMalformed("核验应答户号与查询户号不一致", json.dumps(data)[:2000])
        holder = data.get("holder_name")
        if not isinstance(holder, str):
            raise ProviderMalformed("核验应答缺少户主姓名", json.dumps(data)[:2000])
        return AccountCheck(
            found=True, holder_name=holder[:64], address=str(data.get("address") or "")[:200]
        )

    def fetch(self, *, account_number: str, period: str) -> BillBatch:
        quoted = urllib.parse.quote(account_number, safe="")
        data = self._call(
            "GET",
            f"/v1/accounts/{quoted}/bills?{urllib.parse.urlencode({'period': period})}",
            None,
        )
        excerpt = json.dumps(data, ensure_ascii=False)[:2000]
        if not isinstance(data, dict):
            raise ProviderMalformed("账单应答格式不正确", excerpt)
        if data.get("account_number") != account_number:
            raise ProviderMalformed("账单应答户号与查询户号不一致", excerpt)
        today: datetime.date = timezone.localdate()
        return batch_from(
            bills=data.get("bills"),
            contributions=data.get("contributions"),
            kind=self.kind,
            account_number=account_number,
            today=today,
            period=period,
        )
