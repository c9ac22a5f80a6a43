"""Issuer signing keys: one active key per algorithm, rotation keeps old keys published."""

from __future__ import annotations

import secrets
from functools import lru_cache

from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.audit.services import Actor, audit_record
from onewindow.core.crypto import decrypt, encrypt, signer_for
from onewindow.core.crypto.signers import Ed25519Signer, Signer, Sm2Signer
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


def signing_key_active(*, alg: str) -> SigningKey:
    """The key that signs new credentials for ``alg``; made on first use."""
    key = SigningKey.objects.filter(algorithm=alg, active=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            key = _create(alg)
            audit_record(
                actor=Actor.system("licences"),
                action="licences.signingkey.create",
                target=key,
                changes={"kid": key.kid, "algorithm": alg},
            )
            return key
    except IntegrityError:  # another process made it first
        return SigningKey.objects.get(algorithm=alg, active=True)


@transaction.atomic
def signing_key_rotate(*, actor: Actor, alg: str) -> SigningKey:
    """Retire the active key for ``alg`` (it stays published for verification) and make a new
    one that signs from now on."""
    retired = list(SigningKey.objects.select_for_update().filter(algorithm=alg, active=True))
    SigningKey.objects.filter(pk__in=[k.pk for k in retired]).update(
        active=False, retired_at=timezone.now()
    )
    key = _create(alg)
    audit_record(
        actor=actor,
        action="licences.signingkey.rotate",
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
