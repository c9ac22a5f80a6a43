"""Hashes: SHA-256 or SM3 by suite; keyed blind indexes (HMAC) for exact-match look-ups of
encrypted values."""

from __future__ import annotations

import hmac as std_hmac
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac
from django.conf import settings

from onewindow.core.crypto.keys import index_key


def suite_hash_name() -> str:
    return "sm3" if settings.CRYPTO_SUITE == "sm" else "sha256"


def _algorithm(name: str) -> hashes.HashAlgorithm:
    if name == "sm3":
        return hashes.SM3()
    if name == "sha256":
        return hashes.SHA256()
    raise ValueError(f"unknown hash {name!r}")


def digest(data: bytes, *, alg: str | None = None) -> str:
    h = hashes.Hash(_algorithm(alg or suite_hash_name()))
    h.update(data)
    return h.finalize().hex()


def keyed_digest(key: bytes, data: bytes, *, alg: str | None = None) -> str:
    mac = hmac.HMAC(key, _algorithm(alg or suite_hash_name()))
    mac.update(data)
    return mac.finalize().hex()


def blind_index(kind: str, value: str) -> str:
    """Deterministic keyed index of a normalised value, namespaced by kind.

    Always HMAC-SHA-256 so that switching the crypto suite does not orphan existing indexes.
    """
    return keyed_digest(index_key(), f"{kind}:{value}".encode(), alg="sha256")


def constant_time_equal(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a.encode(), b.encode())


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def chain_hash(
    fields: Mapping[str, Any], names: Iterable[str], *, alg: str, key: bytes | None = None
) -> str:
    """Hash of one row of a hash chain (the audit trail, the exchange call log): the named
    fields as canonical JSON (sorted keys, UTC microsecond timestamps); with ``key``, the
    HMAC of that JSON."""
    payload = json.dumps(
        {name: _canonical(fields[name]) for name in names},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    if key is not None:
        return keyed_digest(key, payload.encode(), alg=alg)
    return digest(payload.encode(), alg=alg)
