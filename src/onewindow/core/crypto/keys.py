"""Key material from the environment.

``ONEWINDOW_DATA_KEYS="k2:<base64 32 bytes>,k1:<base64 32 bytes>"``: the first key encrypts,
all of them decrypt, which is how keys rotate. ``ONEWINDOW_INDEX_KEY`` keys the blind index.
``ONEWINDOW_AUDIT_KEYS`` (same form) keys the hash chains of the audit trail and the exchange's
call log: the first keys new rows and checkpoints, all of them verify.
Outside production, missing keys are derived from SECRET_KEY so a fresh clone just works.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class DataKey:
    kid: str
    key: bytes  # 32 bytes; SM4 uses the first 16


def _derive(label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(
        settings.SECRET_KEY.encode()
    )


def _b64(value: str, name: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{name}: not valid base64") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{name}: keys must be 32 bytes (got {len(raw)})")
    return raw


def _key_list(spec: str, name: str) -> tuple[DataKey, ...]:
    keys = []
    for item in spec.split(","):
        kid, _, b64 = item.strip().partition(":")
        if not kid or not b64:
            raise ImproperlyConfigured(f"{name}: expected kid:base64key[,...]")
        keys.append(DataKey(kid=kid, key=_b64(b64, name)))
    return tuple(keys)


@cache
def data_keys() -> tuple[DataKey, ...]:
    spec = settings.DATA_KEYS
    if not spec:
        return (DataKey(kid="dev", key=_derive(b"onewindow data key")),)
    return _key_list(spec, "ONEWINDOW_DATA_KEYS")


def current_key() -> DataKey:
    return data_keys()[0]


def key_by_id(kid: str) -> DataKey:
    for key in data_keys():
        if key.kid == kid:
            return key
    raise ImproperlyConfigured(f"no data key with id {kid!r} is configured")


@cache
def index_key() -> bytes:
    if not settings.INDEX_KEY:
        return _derive(b"onewindow blind index key")
    return _b64(settings.INDEX_KEY, "ONEWINDOW_INDEX_KEY")


AUDIT_DEV_KID = "dev"
AUDIT_KID_MAX = 16  # the rows' ``kid`` column


def audit_dev_key() -> bytes:
    return _derive(b"onewindow audit chain key")


@cache
def audit_keys() -> tuple[DataKey, ...]:
    """Keys of the hash chains, newest first: the first keys new rows and checkpoints."""
    spec = settings.AUDIT_KEYS
    if not spec:
        return (DataKey(kid=AUDIT_DEV_KID, key=audit_dev_key()),)
    keys = _key_list(spec, "ONEWINDOW_AUDIT_KEYS")
    kids = [key.kid for key in keys]
    if len(set(kids)) != len(kids):
        raise ImproperlyConfigured("ONEWINDOW_AUDIT_KEYS: a key id is listed twice")
    if any(len(kid) > AUDIT_KID_MAX for kid in kids):
        raise ImproperlyConfigured(
            f"ONEWINDOW_AUDIT_KEYS: key ids are at most {AUDIT_KID_MAX} characters"
        )
    return keys


def audit_key_rank(kid: str) -> int | None:
    """The key's place in ``audit_keys()`` (0: the current key), or None if not configured."""
    for rank, key in enumerate(audit_keys()):
        if key.kid == kid:
            return rank
    return None


def reset_caches() -> None:
    data_keys.cache_clear()
    index_key.cache_clear()
    audit_keys.cache_clear()
