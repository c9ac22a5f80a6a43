"""Numbers that come from outside (forms, query strings, gateways' and vendors' callbacks).

``str.isdigit()``, ``int()`` and ``Decimal()`` take far more than ASCII digits: ``int("١٥")``
is 15 (Arabic-Indic digits), so is ``int("１５")`` (full-width) and ``int(" 1_5 ")``;
``Decimal`` also takes exponents. Text from outside is read here, as ASCII digits only."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, TypeGuard

from django import forms
from django.core.exceptions import ValidationError

# [0-9] (not \\d, which matches every script's digits), matched whole (fullmatch: no
# trailing newline as with ``$``).
_UNSIGNED = re.compile(r"[0-9]+", re.ASCII)
_SIGNED = re.compile(r"-?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?", re.ASCII)

# A database id fits a signed 64-bit integer; more digits are no id (and would overflow).
ID_MAX_DIGITS = 18


def is_ascii_number(text: object, *, max_digits: int = ID_MAX_DIGITS) -> TypeGuard[str]:
    """``text`` is a non-negative integer written in at most ``max_digits`` ASCII digits."""
    return (
        isinstance(text, str) and len(text) <= max_digits and _UNSIGNED.fullmatch(text) is not None
    )


def parse_int(text: object, *, signed: bool = False, max_digits: int = ID_MAX_DIGITS) -> int:
    """``text`` as an integer (``-`` allowed only when ``signed``); ValueError otherwise."""
    pattern = _SIGNED if signed else _UNSIGNED
    if (
        not isinstance(text, str)
        or len(text.lstrip("-")) > max_digits
        or pattern.fullmatch(text) is None
    ):
        raise ValueError(f"not a number: {text!r}")
    return int(text)


def parse_id(text: object) -> int | None:
    """A database id from a form or query string, or None when it is none."""
    return int(text) if is_ascii_number(text) else None


def parse_decimal(text: object, *, max_digits: int = 30) -> Decimal:
    """``text`` as a decimal number (``-12.5``; no exponent, no ``NaN``); ValueError
    otherwise."""
    if not isinstance(text, str) or len(text) > max_digits or _DECIMAL.fullmatch(text) is None:
        raise ValueError(f"not a number: {text!r}")
    return Decimal(text)


class AsciiIntegerField(forms.IntegerField):
    """A form's integer in ASCII digits (Django's IntegerField reads ``int("١٥")`` as 15)."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str) and value.strip() and not _SIGNED.fullmatch(value.strip()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class AsciiDecimalField(forms.DecimalField):
    """A form's decimal in ASCII digits (Django's DecimalField reads ``١٥.٠٠`` as 15.00 and
    takes exponents)."""

    def to_python(self, value: Any) -> Any:  # Decimal | None (the stubs say int)
        if isinstance(value, str) and value.strip() and not _DECIMAL.fullmatch(value.strip()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)
