"""Model fields for personal data encrypted at rest.

``EncryptedTextField`` stores ``<alg>$<kid>$<ciphertext>`` in the column and gives Python code the
plaintext. Exact-match look-ups go through a separate blind-index column (see
``core.crypto.blind_index``); the ciphertext itself is never queried.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from onewindow.core.crypto import decrypt, encrypt


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest (AES-256-GCM or SM4-GCM)"

    def __init__(self, *args: Any, aad: str = "", **kwargs: Any) -> None:
        self.aad = aad
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["aad"] = self.aad
        return name, path, args, kwargs

    def _aad(self) -> str:
        return self.aad or f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value, aad=self._aad())

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value), aad=self._aad())
