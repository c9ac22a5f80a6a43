"""Masking of personal data for display. Pages and API responses show these forms unless the
viewer's role needs the full value, in which case the reveal is audited with its purpose."""

from __future__ import annotations

import re
from collections.abc import Iterable


def mask_citizen_id(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    if not value:
        return ""
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


# Digits as residents type them: ASCII or full-width.
_D = "[0-9０-９]"
_NOT_DIGIT_BEFORE = f"(?<!{_D})"
_NOT_DIGIT_AFTER = f"(?!{_D})"
# An identity number (18 characters, the last maybe X; or the old 15 digits) and any other
# long run of digits such as a bank card number (15 to 19 digits).
_LONG_NUMBER = re.compile(f"{_NOT_DIGIT_BEFORE}{_D}{{14,18}}[0-9０-９Xx]{_NOT_DIGIT_AFTER}")
# A mobile number, perhaps written 138-0013-8000 or 138 0013 8000, perhaps after +86.
_MOBILE = re.compile(
    f"(?:\\+86[- ]?|{_NOT_DIGIT_BEFORE})[1１][3-9３-９]{_D}"
    f"[- ]?{_D}{{4}}[- ]?{_D}{{4}}{_NOT_DIGIT_AFTER}"
)
# A fixed line with its area code: 020-12345678, (020)12345678, 0751 1234567.
_LANDLINE = re.compile(
    f"{_NOT_DIGIT_BEFORE}[(（]?[0０]{_D}{{2,3}}[)）]?[- ]?{_D}{{7,8}}{_NOT_DIGIT_AFTER}"
)


def _mask_digits(match: re.Match[str]) -> str:
    value = match.group(0)
    digits = [i for i, c in enumerate(value) if c.isdigit() or c in "Xx"]
    if value.startswith("+86"):
        digits = digits[2:]  # the country code stays as it is
    keep = set(digits[:3] + digits[-4:]) if len(digits) < 15 else set(digits[:4] + digits[-4:])
    return "".join("*" if i in digits and i not in keep else c for i, c in enumerate(value))


def mask_text(text: str | None, *, names: Iterable[str] = ()) -> str:
    """A free text (a request, an answer) as it may be shown to others: identity, card,
    mobile and fixed-line numbers keep only their first and last digits, and each of
    ``names`` (the people the text is about, two characters or more) is masked as
    :func:`mask_name` masks it."""
    if not text:
        return ""
    masked = _LONG_NUMBER.sub(_mask_digits, text)
    masked = _MOBILE.sub(_mask_digits, masked)
    masked = _LANDLINE.sub(_mask_digits, masked)
    for name in sorted(
        {n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True
    ):
        masked = masked.replace(name, mask_name(name))
    return masked
