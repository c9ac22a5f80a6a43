"""Identifier validation: citizen ID (GB 11643), USCC (GB 32100), mobile numbers, GB/T 2260
region codes. The check-digit logic comes from python-stdnum; we only add the messages."""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exc
from stdnum.cn import ric, uscc

from onewindow.core.errors import ValidationFailed

PHONE_RE = re.compile(r"\A1[3-9][0-9]{9}\Z")  # ASCII digits: \d takes every script's
REGION_RE = re.compile(r"\A[0-9]{6}\Z")


def normalize_citizen_id(value: str, *, field: str = "id_number") -> str:
    """Return the compact 18-character citizen ID or raise a field-level error."""
    raw = (value or "").strip().upper()
    if not raw:
        raise ValidationFailed(_("请填写身份证号码。"), code="required", field=field)
    try:
        return str(ric.validate(raw))
    except stdnum_exc.InvalidChecksum:
        raise ValidationFailed(
            _("身份证号码校验位不正确，请核对最后一位。"), code="id_checksum", field=field
        ) from None
    except stdnum_exc.InvalidLength:
        raise ValidationFailed(_("身份证号码应为18位。"), code="id_length", field=field) from None
    except stdnum_exc.InvalidComponent:
        raise ValidationFailed(
            _("身份证号码中的出生日期或地区代码无效。"), code="id_component", field=field
        ) from None
    except stdnum_exc.ValidationError:
        raise ValidationFailed(_("身份证号码格式不正确。"), code="id_format", field=field) from None


def citizen_id_birth_date(value: str) -> datetime.date:
    return ric.get_birth_date(value)


def citizen_id_gender(value: str) -> str:
    """'M' or 'F' from the sequence digit (odd = male)."""
    return "M" if int(value[16]) % 2 else "F"


def citizen_id_region(value: str) -> str:
    return value[:6]


def citizen_id_make(region: str, birth: datetime.date, sequence: int) -> str:
    """Build a valid ID from parts (used by the demo city and tests)."""
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder digit


def normalize_uscc(value: str, *, field: str = "uscc") -> str:
    raw = (value or "").strip().upper()
    if not raw:
        raise ValidationFailed(_("请填写统一社会信用代码。"), code="required", field=field)
    try:
        return str(uscc.validate(raw))
    except stdnum_exc.InvalidChecksum:
        raise ValidationFailed(
            _("统一社会信用代码校验位不正确。"), code="uscc_checksum", field=field
        ) from None
    except stdnum_exc.InvalidLength:
        raise ValidationFailed(
            _("统一社会信用代码应为18位。"), code="uscc_length", field=field
        ) from None
    except stdnum_exc.ValidationError:
        raise ValidationFailed(
            _("统一社会信用代码格式不正确。"), code="uscc_format", field=field
        ) from None


def uscc_make(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


def normalize_phone(value: str, *, field: str = "phone") -> str:
    raw = re.sub(r"[\s-]", "", value or "")
    if raw.startswith("+86"):
        raw = raw[3:]
    if not raw:
        raise ValidationFailed(_("请填写手机号码。"), code="required", field=field)
    if not PHONE_RE.match(raw):
        raise ValidationFailed(
            _("手机号码应为以1开头的11位数字。"), code="phone_format", field=field
        )
    return raw


def normalize_region(value: str, *, field: str = "region_code") -> str:
    raw = (value or "").strip()
    if not REGION_RE.match(raw):
        raise ValidationFailed(
            _("行政区划代码应为6位数字（GB/T 2260）。"), code="region_format", field=field
        )
    return raw
