"""Texts that packages and decision tables give in several languages."""

from __future__ import annotations

from typing import Any


def zh_text(value: Any, default: str = "") -> str:
    """The Chinese of ``{"zh": ..., "en": ...}`` (else its first language), or a plain text
    as it is; ``default`` when there is none."""
    if isinstance(value, dict):
        value = value.get("zh") or next(iter(value.values()), "")
    return str(value or default)
