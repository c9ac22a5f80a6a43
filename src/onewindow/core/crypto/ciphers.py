"""Authenticated encryption of personal data at rest: AES-256-GCM or SM4-GCM.

Token format: ``<alg>$<kid>$<base64url(nonce || ciphertext || tag)>`` where alg is ``a256gcm``
or ``sm4gcm``. The associated data binds a ciphertext to its column so values cannot be
swapped between columns unnoticed.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from onewindow.core.crypto.keys import current_key, key_by_id

NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(Exception):
    pass


def _alg_for_suite() -> str:
    return "sm4gcm" if settings.CRYPTO_SUITE == "sm" else "a256gcm"


def _sm4_encrypt(key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    enc = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(aad)
    return enc.update(data) + enc.finalize() + enc.tag


def _sm4_decrypt(key: bytes, nonce: bytes, blob: bytes, aad: bytes) -> bytes:
    body, tag = blob[:-TAG_BYTES], blob[-TAG_BYTES:]
    dec = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(aad)
    return dec.update(body) + dec.finalize()


def encrypt(plaintext: str, *, aad: str) -> str:
    key = current_key()
    alg = _alg_for_suite()
    nonce = os.urandom(NONCE_BYTES)
    data, ad = plaintext.encode(), aad.encode()
    if alg == "sm4gcm":
        blob = _sm4_encrypt(key.key, nonce, data, ad)
    else:
        blob = AESGCM(key.key).encrypt(nonce, data, ad)
    token = base64.urlsafe_b64encode(nonce + blob).decode().rstrip("=")
    return f"{alg}${key.kid}${token}"


def decrypt(token: str, *, aad: str) -> str:
    try:
        alg, kid, body = token.split("$", 2)
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError as exc:
        raise DecryptionError("malformed ciphertext") from exc
    nonce, blob = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    key = key_by_id(kid)
    try:
        if alg == "sm4gcm":
            data = _sm4_decrypt(key.key, nonce, blob, aad.encode())
        elif alg == "a256gcm":
            data = AESGCM(key.key).decrypt(nonce, blob, aad.encode())
        else:
            raise DecryptionError(f"unknown algorithm {alg!r}")
    except InvalidTag as exc:
        raise DecryptionError("ciphertext failed authentication") from exc
    return data.decode()
