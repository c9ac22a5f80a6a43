import datetime

import pytest

from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import (
    citizen_id_birth_date,
    citizen_id_gender,
    citizen_id_make,
    normalize_citizen_id,
    normalize_phone,
    normalize_uscc,
)


def test_real_citizen_id_with_x_check_digit_is_accepted():
    # The GB 11643 example number; its check digit is X.
    assert normalize_citizen_id(" 11010519491231002x ") == "11010519491231002X"
    assert citizen_id_birth_date("11010519491231002X") == datetime.date(1949, 12, 31)
    assert citizen_id_gender("11010519491231002X") == "F"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310023", "id_checksum"),  # wrong check digit
        ("1101051949123100", "id_length"),
        ("110105194913310021", "id_component"),  # month 13
        ("", "required"),
    ],
)
def test_bad_citizen_ids_get_a_field_error(value, code):
    with pytest.raises(ValidationFailed) as info:
        normalize_citizen_id(value)
    assert info.value.code == code
    assert info.value.field == "id_number"
    assert str(info.value.message)


def test_made_ids_validate():
    value = citizen_id_make("440106", datetime.date(1990, 5, 17), 123)
    assert normalize_citizen_id(value) == value


def test_real_uscc_accepted_and_wrong_check_refused():
    good = "91110000600037341L"  # a published USCC (check digit L)
    assert normalize_uscc(good.lower()) == good
    with pytest.raises(ValidationFailed) as info:
        normalize_uscc("91110000600037341M")
    assert info.value.code == "uscc_checksum"
    assert info.value.field == "uscc"


@pytest.mark.parametrize("value", ["1380013800", "23800138000", "138-0013-800a"])
def test_bad_phone_numbers(value):
    with pytest.raises(ValidationFailed) as info:
        normalize_phone(value)
    assert info.value.code == "phone_format"


def test_phone_normalisation():
    assert normalize_phone("+86 138-0013-8000") == "13800138000"
