"""Signatures: Ed25519 (cryptography) or SM2 with SM3 (gmssl-pyx) behind one Signer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import gmssl_pyx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)


class Signer(Protocol):
    alg: str

    def sign(self, data: bytes) -> bytes: ...

    def verify(self, data: bytes, signature: bytes) -> bool: ...

    def public_key_bytes(self) -> bytes: ...


@dataclass
class Ed25519Signer:
    private_key: bytes | None
    public_key: bytes
    alg: str = "EdDSA"

    @classmethod
    def generate(cls) -> Ed25519Signer:
        key = Ed25519PrivateKey.generate()
        from cryptography.hazmat.primitives import serialization as s

        return cls(
            private_key=key.private_bytes(s.Encoding.Raw, s.PrivateFormat.Raw, s.NoEncryption()),
            public_key=key.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw),
        )

    def sign(self, data: bytes) -> bytes:
        if self.private_key is None:
            raise ValueError("verify-only key")
        return Ed25519PrivateKey.from_private_bytes(self.private_key).sign(data)

    def verify(self, data: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, data)
        except (InvalidSignature, ValueError):
            return False
        return True

    def public_key_bytes(self) -> bytes:
        return self.public_key


@dataclass
class Sm2Signer:
    private_key: bytes | None
    public_key: bytes
    alg: str = "SM2"

    @classmethod
    def generate(cls) -> Sm2Signer:
        public, private = gmssl_pyx.sm2_key_generate()
        return cls(private_key=private, public_key=public)

    def sign(self, data: bytes) -> bytes:
        if self.private_key is None:
            raise ValueError("verify-only key")
        return bytes(gmssl_pyx.sm2_sign(self.private_key, self.public_key, data))

    def verify(self, data: bytes, signature: bytes) -> bool:
        try:
            return bool(gmssl_pyx.sm2_verify(self.public_key, data, signature))
        except (gmssl_pyx.GmsslInnerError, gmssl_pyx.InvalidValueError, ValueError):
            return False

    def public_key_bytes(self) -> bytes:
        return self.public_key


def signer_for(alg: str, *, private_key: bytes | None, public_key: bytes) -> Signer:
    if alg == "EdDSA":
        return Ed25519Signer(private_key=private_key, public_key=public_key)
    if alg == "SM2":
        return Sm2Signer(private_key=private_key, public_key=public_key)
    raise ValueError(f"unknown signature algorithm {alg!r}")
