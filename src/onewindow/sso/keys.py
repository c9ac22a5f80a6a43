"""The provider's RSA signing keys.

The current key comes from ``ONEWINDOW_OIDC_RSA_KEY`` (PEM); keys being rotated out from
``ONEWINDOW_OIDC_RSA_KEYS_INACTIVE`` (PEM blocks, one after another). The JWKS endpoint
publishes the public halves of both, so ID tokens signed before a rotation still verify
until the old key is dropped. Production refuses to start without a configured key; in
development and tests a key is generated once and kept under ``var/``.

Imported from the settings module: no Django imports here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_PEM_BLOCK = re.compile(
    r"-----BEGIN (?:RSA )?PRIVATE KEY-----.+?-----END (?:RSA )?PRIVATE KEY-----", re.DOTALL
)


class MissingSigningKey(RuntimeError):
    pass


def split_pem_blocks(text: str) -> list[str]:
    return [match.group(0) + "\n" for match in _PEM_BLOCK.finditer(text.replace("\\n", "\n"))]


def generate_rsa_pem(bits: int = 2048) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def _dev_key(var_dir: Path) -> str:
    path = var_dir / "oidc-rsa-dev.pem"
    if path.exists():
        return path.read_text()
    pem = generate_rsa_pem()
    try:
        var_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(pem)
    except FileExistsError:
        return path.read_text()
    except OSError:
        pass  # read-only checkout: this process keeps its own key
    return pem


def oidc_signing_keys(*, production: bool, var_dir: Path) -> tuple[str, list[str]]:
    """(current private key PEM, previous private key PEMs)."""
    configured = split_pem_blocks(os.environ.get("ONEWINDOW_OIDC_RSA_KEY", ""))
    inactive = split_pem_blocks(os.environ.get("ONEWINDOW_OIDC_RSA_KEYS_INACTIVE", ""))
    if configured:
        return configured[0], inactive
    if production:
        raise MissingSigningKey(
            "ONEWINDOW_OIDC_RSA_KEY must hold the OpenID Connect signing key (PEM) in production"
        )
    return _dev_key(var_dir), inactive
