"""National (SM2/SM3/SM4) and international (Ed25519/SHA-256/AES-256-GCM) cryptography behind
one small interface. The suite is chosen by ``ONEWINDOW_CRYPTO_SUITE``; each ciphertext and
hash records which algorithm made it, so a city can switch suites without re-encrypting."""

from onewindow.core.crypto.ciphers import decrypt, encrypt
from onewindow.core.crypto.digests import blind_index, digest
from onewindow.core.crypto.signers import Signer, signer_for

__all__ = ["Signer", "blind_index", "decrypt", "digest", "encrypt", "signer_for"]
