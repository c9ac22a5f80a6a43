"""Print a new pair of licence signing keys as environment settings (for production)."""

from __future__ import annotations

import base64
from typing import Any

from django.core.management.base import BaseCommand

from onewindow.core.crypto.signers import Ed25519Signer, Sm2Signer


class Command(BaseCommand):
    help = (
        "Print ONEWINDOW_LICENCE_KEY_EDDSA and ONEWINDOW_LICENCE_KEY_SM2 lines with new keys. "
        "Keep them with the other secrets; nothing is stored."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        ed = Ed25519Signer.generate()
        sm2 = Sm2Signer.generate()
        assert ed.private_key is not None and sm2.private_key is not None
        self.stdout.write(
            "ONEWINDOW_LICENCE_KEY_EDDSA=" + base64.b64encode(ed.private_key).decode()
        )
        self.stdout.write(
            f"ONEWINDOW_LICENCE_KEY_SM2={sm2.private_key.hex()}:{sm2.public_key.hex()}"
        )
