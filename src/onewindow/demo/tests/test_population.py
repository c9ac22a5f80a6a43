"""The demo population is deterministic and every identifier in it is valid."""

from __future__ import annotations

import itertools

import pytest
from stdnum.cn import ric, uscc

from onewindow.core.identifiers import (
    citizen_id_birth_date,
    citizen_id_gender,
    citizen_id_region,
    normalize_phone,
)
from onewindow.demo import data
from onewindow.demo.population import company_stream, org_code_check, resident_stream


def take(stream, n):
    return list(itertools.islice(stream, n))


def test_same_seed_gives_the_same_people_and_companies() -> None:
    assert take(resident_stream(7), 500) == take(resident_stream(7), 500)
    assert take(company_stream(7, residents=500), 50) == take(company_stream(7, residents=500), 50)


def test_another_seed_gives_other_people() -> None:
    first = {r.id_number for r in take(resident_stream(7), 200)}
    other = {r.id_number for r in take(resident_stream(8), 200)}
    assert len(first & other) < 5  # the printed demo accounts may share nothing else


def test_every_citizen_id_validates_and_matches_the_person() -> None:
    rows = take(resident_stream(2025), 20000)
    assert len({r.id_number for r in rows}) == len(rows)
    assert len({r.phone for r in rows}) == len(rows)
    for row in rows:
        assert ric.is_valid(row.id_number), row.id_number
        assert citizen_id_birth_date(row.id_number) == row.birth_date
        assert citizen_id_gender(row.id_number) == row.gender
        assert citizen_id_region(row.id_number) == row.region_code
        assert normalize_phone(row.phone) == row.phone
        assert 2 <= len(row.name) <= 4


def test_population_covers_every_district_and_ages() -> None:
    rows = take(resident_stream(2025), 20000)
    regions = {r.region_code for r in rows}
    assert {d.code for d in data.DISTRICTS} <= regions
    years = [r.birth_date.year for r in rows]
    assert min(years) < 1950 and max(years) > 2010


def test_demo_login_residents_come_first_with_their_phones() -> None:
    rows = take(resident_stream(1), len(data.DEMO_RESIDENTS) + 100)
    for row, (phone, name, district) in zip(rows, data.DEMO_RESIDENTS, strict=False):
        assert (row.phone, row.name, row.region_code) == (phone, name, district)
    others = rows[len(data.DEMO_RESIDENTS) :]
    assert not any(r.phone.startswith("1380000") for r in others)


@pytest.mark.parametrize("district", data.DISTRICTS, ids=lambda d: d.code)
def test_id_region_is_valid_in_every_birth_year(district: data.District) -> None:
    for year in range(1930, 2026):
        region = data.id_region_for(district, year)
        body = f"{region}{year}0615{123:03d}"
        number = body + ric.calc_check_digit(body + "0")
        assert ric.is_valid(number), (district.name, year, region)


def test_every_uscc_validates_and_company_names_are_unique() -> None:
    rows = take(company_stream(2025, residents=1000), 3000)
    assert len({c.uscc for c in rows}) == len(rows)
    assert len({c.name for c in rows}) == len(rows)
    for row in rows:
        assert uscc.is_valid(row.uscc), row.uscc
        org = row.uscc[8:17]
        assert org_code_check(org[:8]) == org[8]
        assert row.uscc[2:8] == row.region_code
        assert 0 <= row.legal_rep_index < 1000


def test_org_code_check_digit_matches_gb11714_example() -> None:
    # GB 11714 worked example: D2143569 → check digit X
    assert org_code_check("D2143569") == "X"
