"""Alipay open-platform signing (``sign_type=RSA2``): SHA256withRSA (PKCS#1 v1.5) over the
parameters sorted by key and joined as ``key=value&...``, Base64-encoded; answers are signed
over the raw JSON text of their ``<method>_response`` node. Used by every Alipay adapter
(payments' gateway, bills' electronic-bill query)."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


class UnreadableAnswer(ValueError):
    """An answer that is not the JSON document the platform sends."""


class AnswerNotSigned(ValueError):
    """An answer whose signature does not verify with the platform's public key."""


def sign_content(
    params: Mapping[str, str], *, exclude: tuple[str, ...] = ("sign", "sign_type")
) -> str:
    """The signed string: non-empty parameters except the signature ones, sorted by key,
    joined as ``key=value&key=value`` (raw values, not URL-encoded)."""
    return "&".join(
        f"{k}={params[k]}"
        for k in sorted(params)
        if k not in exclude and params[k] not in ("", None)
    )


def rsa2_sign(content: str, private_key: rsa.RSAPrivateKey) -> str:
    signature = private_key.sign(content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def rsa2_verify(content: str, signature: str, public_key: rsa.RSAPublicKey) -> bool:
    try:
        public_key.verify(
            base64.b64decode(signature, validate=True),
            content.encode("utf-8"),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def load_private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def load_public_key(pem: str) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def signed_request(
    *,
    app_id: str,
    method: str,
    biz: Mapping[str, Any],
    timestamp: str,
    private_key: rsa.RSAPrivateKey,
    **extra: str,
) -> dict[str, str]:
    """The common request parameters of ``method`` with ``biz_content``, signed over every
    parameter but ``sign`` (``sign_type`` included)."""
    params = {
        "app_id": app_id,
        "method": method,
        "format": "JSON",
        "charset": "utf-8",
        "sign_type": "RSA2",
        "timestamp": timestamp,
        "version": "1.0",
        "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
        **extra,
    }
    params["sign"] = rsa2_sign(sign_content(params, exclude=("sign",)), private_key)
    return params


def signed_node(text: str, name: str, public_key: rsa.RSAPublicKey) -> dict[str, Any]:
    """The ``name`` node of an answer, after checking the signature over its raw JSON text.
    UnreadableAnswer: not such a JSON document; AnswerNotSigned: the signature is wrong."""
    try:
        outer = json.loads(text)
        marker = f'"{name}"'
        start = text.index(marker) + len(marker)
        start = text.index("{", start)
        node, end = json.JSONDecoder().raw_decode(text, start)
    except ValueError as exc:
        raise UnreadableAnswer("unreadable answer") from exc
    if not isinstance(outer, dict) or not isinstance(node, dict):
        raise UnreadableAnswer("unreadable answer")
    if not rsa2_verify(text[start:end], str(outer.get("sign", "")), public_key):
        raise AnswerNotSigned("answer not signed by the platform")
    return node
