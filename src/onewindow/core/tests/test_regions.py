"""District names for region codes: the city's table, or the one a city sets."""

from __future__ import annotations

from onewindow.core.regions import region_name


def test_a_district_code_or_a_longer_code_within_it_names_the_district():
    assert region_name("440106") == "天河区"
    assert region_name("440106001") == "天河区"  # a street code within 天河区


def test_an_unknown_code_gives_the_default_or_itself():
    assert region_name("110101") == "110101"
    assert region_name("110101", "广州市") == "广州市"


def test_a_city_sets_its_own_table(settings):
    settings.REGION_NAMES = {"110101": "东城区"}
    assert region_name("110101") == "东城区"
    assert region_name("440106", "") == ""
