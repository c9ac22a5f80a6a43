from __future__ import annotations

import base64
import os

import pytest

from onewindow.core.crypto import blind_index, decrypt, encrypt
from onewindow.core.crypto.ciphers import DecryptionError
from onewindow.core.crypto.keys import reset_caches
from onewindow.core.crypto.signers import Ed25519Signer, Sm2Signer


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.mark.parametrize(("suite", "alg"), [("intl", "a256gcm"), ("sm", "sm4gcm")])
def test_round_trip_and_no_plaintext(settings, suite, alg):
    settings.CRYPTO_SUITE = suite
    token = encrypt("440106199001011234", aad="identity.person.id_number")
    assert token.startswith(f"{alg}$")
    assert "440106199001011234" not in token
    assert decrypt(token, aad="identity.person.id_number") == "440106199001011234"


def test_same_value_encrypts_differently_each_time():
    assert encrypt("13800138000", aad="a") != encrypt("13800138000", aad="a")


def test_ciphertext_bound_to_its_column():
    token = encrypt("13800138000", aad="identity.person.phone")
    with pytest.raises(DecryptionError):
        decrypt(token, aad="identity.person.id_number")


def test_tampered_ciphertext_is_refused():
    token = encrypt("13800138000", aad="a")
    alg, kid, body = token.split("$")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(DecryptionError):
        decrypt(f"{alg}${kid}${flipped}", aad="a")


def test_key_rotation_old_ciphertexts_still_decrypt(settings):
    old = _key()
    settings.DATA_KEYS = f"k1:{old}"
    reset_caches()
    token = encrypt("secret", aad="a")
    settings.DATA_KEYS = f"k2:{_key()},k1:{old}"
    reset_caches()
    assert decrypt(token, aad="a") == "secret"
    assert encrypt("secret", aad="a").split("$")[1] == "k2"


def test_suite_switch_keeps_old_data_readable(settings):
    settings.CRYPTO_SUITE = "intl"
    token = encrypt("x", aad="a")
    settings.CRYPTO_SUITE = "sm"
    assert decrypt(token, aad="a") == "x"


def test_blind_index_is_keyed_and_deterministic(settings):
    a = blind_index("phone", "13800138000")
    assert a == blind_index("phone", "13800138000")
    assert a != blind_index("id", "13800138000")
    settings.INDEX_KEY = _key()
    reset_caches()
    assert blind_index("phone", "13800138000") != a


@pytest.mark.parametrize("cls", [Ed25519Signer, Sm2Signer])
def test_signatures_verify_and_detect_changes(cls):
    signer = cls.generate()
    sig = signer.sign(b"licence payload")
    assert signer.verify(b"licence payload", sig)
    assert not signer.verify(b"licence payload!", sig)
    verify_only = cls(private_key=None, public_key=signer.public_key_bytes())
    assert verify_only.verify(b"licence payload", sig)
