"""Signatures of the OneWindow bill-provider interface (docs/bill-provider-openapi.yaml).

A request carries ``X-OW-Client``, ``X-OW-Timestamp`` (Unix seconds), ``X-OW-Nonce`` (one
use), ``X-OW-Content-SHA256`` (hex SHA-256 of the body, of b"" when there is none) and
``X-OW-Signature``: Base64 HMAC-SHA256 with the shared secret over

    METHOD \\n PATH?QUERY \\n TIMESTAMP \\n NONCE \\n CONTENT-SHA256

The answer is signed the same way over ``STATUS \\n REQUEST-NONCE \\n TIMESTAMP \\n
CONTENT-SHA256`` (``X-OW-Timestamp``, ``X-OW-Signature``), so it cannot be replayed for another
request. Both sides refuse a timestamp more than ``WINDOW`` seconds away from their clock;
the provider also refuses a nonce it has seen within the window."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping

WINDOW = 300


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _mac(secret: str, parts: list[str]) -> str:
    digest = hmac.new(secret.encode(), "\n".join(parts).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def request_signature(
    *, secret: str, method: str, path: str, timestamp: str, nonce: str, digest: str
) -> str:
    return _mac(secret, [method.upper(), path, timestamp, nonce, digest])


def response_signature(*, secret: str, status: int, nonce: str, timestamp: str, digest: str) -> str:
    return _mac(secret, [str(status), nonce, timestamp, digest])


def sign_request(
    *, client_id: str, secret: str, method: str, path: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    """The headers of a signed request."""
    timestamp = str(int(now if now is not None else time.time()))
    nonce = secrets.token_hex(16)
    digest = body_digest(body)
    return {
        "X-OW-Client": client_id,
        "X-OW-Timestamp": timestamp,
        "X-OW-Nonce": nonce,
        "X-OW-Content-SHA256": digest,
        "X-OW-Signature": request_signature(
            secret=secret,
            method=method,
            path=path,
            timestamp=timestamp,
            nonce=nonce,
            digest=digest,
        ),
    }


def fresh(timestamp: str, now: float | None = None) -> bool:
    try:
        at = int(timestamp)
    except (TypeError, ValueError):
        return False
    return abs((now if now is not None else time.time()) - at) <= WINDOW


def verify_request(
    *,
    secret: str,
    method: str,
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    now: float | None = None,
) -> bool:
    """The provider's check of a request (nonce reuse is the provider's to track). Header
    names are matched whatever their case."""
    headers = _lower(headers)
    timestamp = headers.get("x-ow-timestamp", "")
    digest = body_digest(body)
    if not fresh(timestamp, now) or headers.get("x-ow-content-sha256") != digest:
        return False
    expected = request_signature(
        secret=secret,
        method=method,
        path=path,
        timestamp=timestamp,
        nonce=headers.get("x-ow-nonce", ""),
        digest=digest,
    )
    return hmac.compare_digest(expected, headers.get("x-ow-signature", ""))


def sign_response(
    *, secret: str, status: int, nonce: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    return {
        "X-OW-Timestamp": timestamp,
        "X-OW-Signature": response_signature(
            secret=secret,
            status=status,
            nonce=nonce,
            timestamp=timestamp,
            digest=body_digest(body),
        ),
    }


def verify_response(
    *,
    secret: str,
    status: int,
    nonce: str,
    body: bytes,
    headers: Mapping[str, str],
    now: float | None = None,
) -> bool:
    headers = _lower(headers)
    timestamp = headers.get("x-ow-timestamp", "")
    if not fresh(timestamp, now):
        return False
    expected = response_signature(
        secret=secret, status=status, nonce=nonce, timestamp=timestamp, digest=body_digest(body)
    )
    return hmac.compare_digest(expected, headers.get("x-ow-signature", ""))


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}
