"""GB/T 2260 administrative divisions for addresses, from the list python-stdnum ships (the
one the identity app's citizen-ID checks use): the codes in force today and their names.

``region_choices("4401")`` lists the districts of Guangzhou for a select; an address keeps
the six-digit code and its detail, and ``with_region`` writes the full address a courier
needs (省市区 + 详细地址)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache

import stdnum
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ValidationFailed

_LINE = re.compile(r'^(\s*)(\d{2}|\d{4})\s+(province|county)="([^"]*)"')
_SPAN = re.compile(r"^\[(\d{4})?-(\d{4})?\](.*)$")


@dataclass(frozen=True)
class Region:
    code: str
    province: str
    city: str
    county: str

    @property
    def name(self) -> str:
        parts = [self.province]
        if self.city and self.city not in parts and self.city != "市辖区":
            parts.append(self.city)
        if self.county and self.county not in parts and self.county != "市辖区":
            parts.append(self.county)
        return "".join(parts)


def _current(value: str) -> str:
    """The name in force today from stdnum's ``[1983-1986]郊区,[1987-]白云区``; '' if the
    code is no longer used."""
    name = ""
    for part in value.split(","):
        match = _SPAN.match(part.strip())
        if match is None:
            name = part.strip()
        elif not match.group(2):
            name = match.group(3).strip()
    return name


@cache
def _table() -> dict[str, Region]:
    path = os.path.join(os.path.dirname(stdnum.__file__), "cn", "loc.dat")
    provinces: dict[str, str] = {}
    counties: dict[str, str] = {}
    province = ""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            match = _LINE.match(line)
            if match is None:
                continue
            _indent, code, level, value = match.groups()
            if level == "province":
                province = code
                provinces[code] = value
            else:
                name = _current(value)
                if name:
                    counties[province + code] = name
    table: dict[str, Region] = {}
    for code, county in counties.items():
        city = counties.get(code[:4] + "00", "") if not code.endswith("00") else ""
        table[code] = Region(code, provinces.get(code[:2], ""), city, county)
    return table


def region_get(code: str) -> Region | None:
    return _table().get((code or "").strip())


def region_choices(prefix: str | None = None) -> list[tuple[str, str]]:
    """County-level codes in force under ``prefix`` (default ``DELIVERY_REGION_PREFIX``,
    Guangzhou), for a select: [(code, "广东省广州市天河区"), …]."""
    prefix = prefix if prefix is not None else str(getattr(settings, "DELIVERY_REGION_PREFIX", ""))
    prefix = prefix or os.environ.get("ONEWINDOW_DELIVERY_REGION_PREFIX", "4401")
    return [
        (code, region.name)
        for code, region in sorted(_table().items())
        if code.startswith(prefix) and not code.endswith("00") and region.county != "市辖区"
    ]


def normalize_region_code(value: str, *, field: str = "region_code", required: bool = True) -> str:
    code = (value or "").strip()
    if not code and not required:
        return ""
    if not code:
        raise ValidationFailed(_("请选择所在地区。"), code="required", field=field)
    if region_get(code) is None:
        raise ValidationFailed(
            _("所在地区不是现行的行政区划代码（GB/T 2260）。"), code="region_unknown", field=field
        )
    return code


def with_region(code: str, detail: str) -> str:
    """The full address: the region's name in front of the detail, unless already there."""
    region = region_get(code)
    detail = (detail or "").strip()
    if region is None:
        return detail
    name = region.name
    for part in (name, region.county, region.city):
        if part and detail.startswith(part):
            return detail if part == name else name[: name.index(part)] + detail
    return name + detail
