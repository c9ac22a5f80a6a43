"""Signed requests of the volunteer provider interface (docs/volunteer-provider-openapi.yaml).

A request carries ``X-OneWindow-Key`` (the key id), ``X-OneWindow-Timestamp`` (Unix
seconds), ``X-OneWindow-Nonce`` (32 hex digits, never reused) and ``X-OneWindow-Signature``:
base64 of HMAC-SHA256 with the shared secret over

    METHOD \\n PATH?QUERY \\n TIMESTAMP \\n NONCE \\n hex(SHA-256(body))

The provider answers with ``X-Provider-Timestamp`` and ``X-Provider-Signature`` over

    STATUS \\n TIMESTAMP \\n REQUEST-NONCE \\n hex(SHA-256(body))

so an answer is bound to the request it answers. Either side refuses a timestamp more than
``MAX_SKEW`` seconds away from its clock."""

from __future__ import annotations

import base64
import hashlib
import hmac

MAX_SKEW = 300


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _mac(secret: str, text: str) -> str:
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def request_signature(
    *, secret: str, method: str, target: str, timestamp: str, nonce: str, body: bytes
) -> str:
    return _mac(secret, "\n".join([method.upper(), target, timestamp, nonce, body_hash(body)]))


def response_signature(
    *, secret: str, status: int, timestamp: str, request_nonce: str, body: bytes
) -> str:
    return _mac(secret, "\n".join([str(status), timestamp, request_nonce, body_hash(body)]))


def signature_ok(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())
