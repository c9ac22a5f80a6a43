"""The signed gateway: ``POST /api/v1/exchange/query``.

Headers (all required):

- ``X-OW-Consumer``: the consumer's code
- ``X-OW-Timestamp``: Unix seconds; refused when more than 300 s from the server's clock
- ``X-OW-Request-Id``: unique per consumer (8–64 of ``A-Za-z0-9_.:-``); a replay is refused
- ``X-OW-Purpose``: the purpose of this look-up, percent-encoded UTF-8
- ``X-OW-Signature-Alg``: ``hmac-sha256``, ``hmac-sm3`` (HMAC consumers) or ``sm2``
- ``X-OW-Signature``: hex of the signature over the canonical string::

      POST\\n<path>\\n<consumer>\\n<timestamp>\\n<request id>\\n<purpose as sent>
      \\n<sha256 hex of the body>   (one string; lines joined by \\n)

Body: ``{"resource": "<code>", "subject": {"id_number": "..."}, "fields": [..] (optional)}``.
Every call, refused or not, is appended to the call log with its reason."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.core.crypto import decrypt
from onewindow.core.crypto.digests import constant_time_equal, keyed_digest
from onewindow.core.crypto.signers import Sm2Signer
from onewindow.core.pii import id_number_index
from onewindow.exchange.models import Consumer, Resource, UsedRequestId
from onewindow.exchange.services import QueryResult, exchange_query, refuse, secret_aad
from onewindow.identity.selectors import person_find_by_id_number_bidx

MAX_SKEW = 300
REQUEST_ID = re.compile(r"^[A-Za-z0-9_.:\-]{8,64}$")
HEADERS = ("consumer", "timestamp", "request-id", "purpose", "signature-alg", "signature")


def canonical_string(
    *, path: str, consumer: str, timestamp: str, request_id: str, purpose: str, body: bytes
) -> bytes:
    parts = [
        "POST",
        path,
        consumer,
        timestamp,
        request_id,
        purpose,
        hashlib.sha256(body).hexdigest(),
    ]
    return "\n".join(parts).encode()


def sign_hmac(secret: str, message: bytes, alg: str = "hmac-sha256") -> str:
    return keyed_digest(secret.encode(), message, alg="sm3" if alg == "hmac-sm3" else "sha256")


def signature_valid(consumer: Consumer, alg: str, message: bytes, signature: str) -> bool:
    if consumer.key_kind == Consumer.KeyKind.HMAC and alg in {"hmac-sha256", "hmac-sm3"}:
        secret = decrypt(consumer.secret_encrypted, aad=secret_aad(consumer.code))
        return constant_time_equal(sign_hmac(secret, message, alg), signature.lower())
    if consumer.key_kind == Consumer.KeyKind.SM2 and alg == "sm2":
        try:
            public, raw = bytes.fromhex(consumer.public_key_hex), bytes.fromhex(signature)
        except ValueError:
            return False
        return Sm2Signer(private_key=None, public_key=public).verify(message, raw)
    return False


def _claimed(body: bytes) -> dict[str, object]:
    """The resource an (unverified) request names, so its owner sees refused attempts too."""
    try:
        code = str(json.loads(body or b"{}").get("resource", ""))[:80]
    except (ValueError, AttributeError):
        return {}
    resource = Resource.objects.filter(code=code).first() if code else None
    if resource is None:
        return {}
    return {"resource_code": resource.code, "owner_department_id": resource.department_id}


@transaction.atomic
def gateway_call(
    *,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    ip: str = "",
    now: datetime.datetime | None = None,
) -> QueryResult:
    now = now or timezone.now()
    h = {name: str(headers.get(f"X-OW-{name}", "") or "") for name in HEADERS}
    who = h["consumer"][:64]
    purpose = unquote(h["purpose"])[:200]
    log: dict[str, Any] = {
        "purpose": purpose,
        "request_id": h["request-id"][:64],
        "ip": ip,
        **_claimed(body),
    }
    if not all(h.values()) or not REQUEST_ID.match(h["request-id"]):
        return refuse(consumer=who, reason="malformed_headers", status=401, **log)
    consumer = Consumer.objects.filter(code=who, active=True).first()
    if consumer is None:
        return refuse(consumer=who, reason="unknown_consumer", status=401, **log)
    try:
        stamp = int(h["timestamp"])
    except ValueError:
        stamp = 0
    if abs(now.timestamp() - stamp) > MAX_SKEW:
        return refuse(consumer=who, reason="stale_timestamp", status=401, **log)
    message = canonical_string(
        path=path,
        consumer=who,
        timestamp=h["timestamp"],
        request_id=h["request-id"],
        purpose=h["purpose"],
        body=body,
    )
    if not signature_valid(consumer, h["signature-alg"], message, h["signature"]):
        return refuse(consumer=who, reason="bad_signature", status=401, **log)
    try:
        with transaction.atomic():
            UsedRequestId.objects.create(consumer=consumer, request_id=h["request-id"], at=now)
    except IntegrityError:
        return refuse(consumer=who, reason="replayed", status=409, **log)
    try:
        payload = json.loads(body or b"{}")
        resource = str(payload["resource"])
        id_number = str((payload.get("subject") or {})["id_number"]).strip().upper()
        fields = payload.get("fields")
        if fields is not None and not (
            isinstance(fields, list) and all(isinstance(f, str) for f in fields)
        ):
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError):
        return refuse(consumer=who, reason="bad_request", status=400, **log)
    person = person_find_by_id_number_bidx(id_number_bidx=id_number_index(id_number))
    return exchange_query(
        consumer=consumer,
        resource_code=resource,
        person=person,
        purpose=purpose,
        request_id=h["request-id"],
        fields=fields,
        ip=ip,
        now=now,
    )
