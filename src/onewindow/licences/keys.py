"""Issuer signing keys: one active key per algorithm, rotation keeps old keys published.

In production the keys come from the environment (``settings.LICENCES_SIGNING_KEYS``): the
configured key becomes the active one on first use (any other active key of its algorithm is
retired, so what it signed still verifies), and no key is ever generated at runtime. Changing
the configured key is the rotation. Elsewhere an unconfigured algorithm gets a key generated on
first use, and ``licence_keys_rotate`` makes a new one."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from functools import lru_cache

import gmssl_pyx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.audit.services import Actor, audit_record
from onewindow.core.crypto import decrypt, encrypt, signer_for
from onewindow.core.crypto.signers import Ed25519Signer, Signer, Sm2Signer
from onewindow.licences import audit_events
from onewindow.licences.models import Algorithm, SigningKey

AAD = "licences.signingkey.private"


def _new_kid(alg: str) -> str:
    prefix = "ed" if alg == Algorithm.EDDSA else "sm2"
    return f"{prefix}-{timezone.now():%Y%m%d}-{secrets.token_hex(4)}"


def _generate(alg: str) -> Signer:
    if alg == Algorithm.EDDSA:
        return Ed25519Signer.generate()
    if alg == Algorithm.SM2:
        return Sm2Signer.generate()
    raise ValueError(f"unknown algorithm {alg!r}")


def _create(alg: str) -> SigningKey:
    signer = _generate(alg)
    private = signer.private_key  # type: ignore[attr-defined]
    return SigningKey.objects.create(
        kid=_new_kid(alg),
        algorithm=alg,
        public_key=signer.public_key_bytes(),
        private_key_encrypted=encrypt(private.hex(), aad=AAD),
        active=True,
    )


ENV_NAMES: dict[str, str] = {
    Algorithm.EDDSA: "ONEWINDOW_LICENCE_KEY_EDDSA",
    Algorithm.SM2: "ONEWINDOW_LICENCE_KEY_SM2",
}


def configured_key(alg: str) -> tuple[bytes, bytes] | None:
    """The (private, public) key configured for ``alg``, or None. Raises
    ``ImproperlyConfigured`` for a value that is not a usable key."""
    raw = str((getattr(settings, "LICENCES_SIGNING_KEYS", None) or {}).get(alg) or "").strip()
    return _parse_key(alg, raw) if raw else None


@lru_cache(maxsize=8)
def _parse_key(alg: str, raw: str) -> tuple[bytes, bytes]:
    name = ENV_NAMES.get(alg, alg)
    try:
        if alg == Algorithm.EDDSA:
            private = base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=b"-_")
            if len(private) != 32:
                raise ValueError
            signer: Signer = Ed25519Signer(private_key=private, public_key=_ed25519_public(private))
        elif alg == Algorithm.SM2:
            private_hex, _, public_hex = raw.partition(":")
            private, public = bytes.fromhex(private_hex), bytes.fromhex(public_hex)
            if len(private) != 32 or len(public) != 64:
                raise ValueError
            signer = Sm2Signer(private_key=private, public_key=public)
        else:
            raise ImproperlyConfigured(f"unknown licence signing algorithm {alg!r}")
        probe = b"onewindow licence key check"
        if not signer.verify(probe, signer.sign(probe)):
            raise ValueError
    except (ValueError, binascii.Error, gmssl_pyx.GmsslInnerError, gmssl_pyx.InvalidValueError):
        hint = "base64 of 32 bytes" if alg == Algorithm.EDDSA else "<private hex>:<public hex>"
        raise ImproperlyConfigured(f"{name} is not a usable {alg} key pair ({hint})") from None
    return private, signer.public_key_bytes()


def _ed25519_public(private: bytes) -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return (
        Ed25519PrivateKey.from_private_bytes(private)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def configured_kid(alg: str, public_key: bytes) -> str:
    """A configured key's id: derived from its public key, so the same key keeps its id."""
    prefix = "ed" if alg == Algorithm.EDDSA else "sm2"
    return f"{prefix}-cfg-{hashlib.sha256(public_key).hexdigest()[:16]}"


def _configured_active(alg: str, private: bytes, public: bytes) -> SigningKey:
    kid = configured_kid(alg, public)
    key = SigningKey.objects.filter(kid=kid, active=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            retired = list(
                SigningKey.objects.select_for_update()
                .filter(algorithm=alg, active=True)
                .exclude(kid=kid)
            )
            SigningKey.objects.filter(pk__in=[k.pk for k in retired]).update(
                active=False, retired_at=timezone.now()
            )
            key = SigningKey.objects.filter(kid=kid).first()
            if key is None:
                key = SigningKey.objects.create(
                    kid=kid,
                    algorithm=alg,
                    public_key=public,
                    private_key_encrypted=encrypt(private.hex(), aad=AAD),
                    active=True,
                )
            else:
                SigningKey.objects.filter(pk=key.pk).update(active=True, retired_at=None)
                key.refresh_from_db()
            audit_record(
                actor=Actor.system("licences"),
                action=audit_events.SIGNINGKEY_CONFIGURE,
                target=key,
                changes={"kid": kid, "algorithm": alg, "retired": [k.kid for k in retired]},
            )
            return key
    except IntegrityError:  # another process adopted it first
        return SigningKey.objects.get(algorithm=alg, active=True)


def signing_key_active(*, alg: str) -> SigningKey:
    """The key that signs new credentials for ``alg``: the configured one, else (outside
    production) one made on first use."""
    configured = configured_key(alg)
    if configured is not None:
        return _configured_active(alg, *configured)
    if settings.PRODUCTION:
        raise ImproperlyConfigured(
            f"{ENV_NAMES.get(alg, alg)} must hold the licence signing key in production"
        )
    key = SigningKey.objects.filter(algorithm=alg, active=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            key = _create(alg)
            audit_record(
                actor=Actor.system("licences"),
                action=audit_events.SIGNINGKEY_CREATE,
                target=key,
                changes={"kid": key.kid, "algorithm": alg},
            )
            return key
    except IntegrityError:  # another process made it first
        return SigningKey.objects.get(algorithm=alg, active=True)


@transaction.atomic
def signing_key_rotate(*, actor: Actor, alg: str) -> SigningKey:
    """Retire the active key for ``alg`` (it stays published for verification) and make a new
    one that signs from now on. Not for a configured key: change the configuration instead."""
    if configured_key(alg) is not None:
        raise ImproperlyConfigured(
            f"the {alg} key comes from {ENV_NAMES.get(alg, alg)}: rotate it by changing that"
        )
    retired = list(SigningKey.objects.select_for_update().filter(algorithm=alg, active=True))
    SigningKey.objects.filter(pk__in=[k.pk for k in retired]).update(
        active=False, retired_at=timezone.now()
    )
    key = _create(alg)
    audit_record(
        actor=actor,
        action=audit_events.SIGNINGKEY_ROTATE,
        target=key,
        changes={"kid": key.kid, "algorithm": alg, "retired": [k.kid for k in retired]},
    )
    return key


def signer_for_key(key: SigningKey) -> Signer:
    private = bytes.fromhex(decrypt(key.private_key_encrypted, aad=AAD))
    return signer_for(key.algorithm, private_key=private, public_key=bytes(key.public_key))


@lru_cache(maxsize=256)
def _verifier(kid: str, alg: str, public_key: bytes) -> Signer:
    return signer_for(alg, private_key=None, public_key=public_key)


_PUBLISHED: dict[str, tuple[str, bytes]] = {}


def verifier_for_kid(kid: str) -> Signer | None:
    """A verify-only signer for a published key id (active or retired), or None. A key id's
    public key never changes, so a found key is remembered in the process."""
    row = _PUBLISHED.get(kid)
    if row is None:
        found = SigningKey.objects.filter(kid=kid).values_list("algorithm", "public_key").first()
        if found is None:
            return None
        if len(_PUBLISHED) > 1024:
            _PUBLISHED.clear()
        row = _PUBLISHED[kid] = (found[0], bytes(found[1]))
    return _verifier(kid, row[0], row[1])
