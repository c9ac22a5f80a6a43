"""Compact JWS for Verifiable Credentials, with Ed25519 (``alg: EdDSA``, RFC 8037) or SM2.

``alg: SM2`` is not a registered JOSE algorithm. Here it means: SM2 signature (GB/T 32918)
over the JWS signing input with the SM3 digest and the default user id ``1234567812345678``
(as GmSSL's ``sm2_sign`` computes it), the signature DER-encoded (SEQUENCE of r and s, as
GmSSL produces it) and then base64url-encoded. Its public key is published as
``{"kty": "EC", "crv": "SM2", "x": …, "y": …}`` with 32-byte coordinates.
"""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

from onewindow.core.crypto.signers import Signer


class JwsError(ValueError):
    """The input is not a well-formed compact JWS of ours."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not all(c.isalnum() or c in "-_" for c in text):
        raise JwsError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def jws_sign(payload: dict[str, Any], *, signer: Signer, kid: str, typ: str = "vc+jwt") -> str:
    header = {"alg": signer.alg, "kid": kid, "typ": typ}
    signing_input = f"{b64url(canonical(header))}.{b64url(canonical(payload))}"
    return f"{signing_input}.{b64url(signer.sign(signing_input.encode('ascii')))}"


def jws_parse(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """Split a compact JWS: (header, payload, signing input, signature). Raises JwsError."""
    parts = token.strip().split(".")
    if len(parts) != 3 or len(token) > 20000:
        raise JwsError("not a compact JWS")
    try:
        header = json.loads(b64url_decode(parts[0]))
        payload = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except (ValueError, UnicodeDecodeError) as exc:
        raise JwsError("undecodable JWS") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise JwsError("JWS header and payload must be objects")
    if header.get("alg") not in {"EdDSA", "SM2"} or not isinstance(header.get("kid"), str):
        raise JwsError("unsupported alg or missing kid")
    return header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), signature


def public_jwk(*, alg: str, kid: str, public_key: bytes, active: bool) -> dict[str, Any]:
    if alg == "EdDSA":
        jwk: dict[str, Any] = {"kty": "OKP", "crv": "Ed25519", "x": b64url(public_key)}
    else:
        raw = public_key[1:] if len(public_key) == 65 else public_key
        jwk = {"kty": "EC", "crv": "SM2", "x": b64url(raw[:32]), "y": b64url(raw[32:])}
    return {
        **jwk,
        "kid": kid,
        "alg": alg,
        "use": "sig",
        "status": "active" if active else "retired",
    }


def bitstring_encode(bits: bytes) -> str:
    """encodedList of a BitstringStatusList: multibase base64url (``u``) of the GZIP'd bits."""
    return "u" + b64url(gzip.compress(bits, mtime=0))


def bitstring_decode(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise JwsError("encodedList must be multibase base64url")
    return gzip.decompress(b64url_decode(encoded[1:]))
