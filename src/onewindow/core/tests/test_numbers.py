"""Numbers from outside are read as ASCII digits only: int(), Decimal() and str.isdigit()
also take other scripts' digits (int("١٥") is 15), full-width digits, underscores and
exponents."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import normalize_phone
from onewindow.core.numbers import (
    AsciiDecimalField,
    AsciiIntegerField,
    is_ascii_number,
    parse_decimal,
    parse_id,
    parse_int,
)

NOT_ASCII_NUMBERS = ["١٥", "１５", "۱۵", "1_5", " 15", "15\n", "+15", "", "1e3", "15.0", "NaN"]


@pytest.mark.parametrize("text", NOT_ASCII_NUMBERS)
def test_only_ascii_digits_are_a_number(text: str) -> None:
    assert not is_ascii_number(text)
    assert parse_id(text) is None
    with pytest.raises(ValueError):
        parse_int(text)


def test_what_python_itself_would_take() -> None:
    assert int("١٥") == 15 and "١٥".isdigit() and Decimal("١٥.٠٠") == 15  # hence this module


def test_ascii_numbers_are_read() -> None:
    assert parse_int("15") == 15 and parse_id("0042") == 42
    assert parse_int("-3", signed=True) == -3
    with pytest.raises(ValueError):
        parse_int("-3")
    assert parse_id("9" * 19) is None  # no database id: it would overflow the column


@pytest.mark.parametrize(
    "text", ["١٥.٠٠", "15.", ".5", "1e3", "NaN", "Infinity", "1_000", "15.0\n"]
)
def test_decimals_are_plain_ascii(text: str) -> None:
    with pytest.raises(ValueError):
        parse_decimal(text)


def test_plain_decimals_are_read() -> None:
    assert parse_decimal("-12.50") == Decimal("-12.50") and parse_decimal("7") == 7


def test_form_fields_refuse_other_scripts_digits() -> None:
    integer, decimal = AsciiIntegerField(), AsciiDecimalField(decimal_places=2, max_digits=10)
    assert integer.clean(" 12 ") == 12 and decimal.clean("15.00") == Decimal("15.00")
    for field, text in ((integer, "١٢"), (decimal, "١٥.٠٠"), (decimal, "1e2")):
        with pytest.raises(ValidationError) as caught:
            field.clean(text)
        assert caught.value.code == "invalid"


def test_a_phone_number_in_other_digits_is_refused() -> None:
    assert normalize_phone("13800000001") == "13800000001"
    for text in ("١٣٨٠٠٠٠٠٠٠١", "１３８００００００01"):
        with pytest.raises(ValidationFailed):
            normalize_phone(text)
