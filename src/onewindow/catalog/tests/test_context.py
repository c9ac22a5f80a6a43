"""What packages are checked against: the database's departments and roles, or the demo
city's structure, which the demo app registers (the catalogue does not know the city)."""

from __future__ import annotations

import pytest

from onewindow.catalog.packages import CityStructure, ValidationContext, register_demo_city
from onewindow.catalog.packages import context as context_module

pytestmark = pytest.mark.django_db


def test_an_empty_database_is_checked_against_the_registered_demo_city() -> None:
    context = ValidationContext.best_available()
    assert context.source == "demo-city"
    assert {"gz", "gz-gaj", "gz-gaj-th"} <= context.departments
    assert "gz-th" not in context.departments  # district governments are not in it
    assert {"window_clerk", "approver", "dept_head"} <= context.roles
    assert context.departments == ValidationContext.from_demo_city().departments


def test_a_seeded_database_is_checked_as_it_is(city: None) -> None:
    context = ValidationContext.best_available()
    assert context.source == "database"
    assert "gz-th" in context.departments  # seeded with the streets' district governments


def test_the_demo_city_is_what_was_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context_module, "_DEMO_CITY", [])
    register_demo_city(lambda: CityStructure(departments=frozenset({"x"}), roles=frozenset()))
    context = ValidationContext.from_demo_city()
    assert (context.departments, context.roles, context.source) == (
        frozenset({"x"}),
        frozenset(),
        "demo-city",
    )


def test_without_a_demo_city_an_empty_database_is_checked_as_it_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(context_module, "_DEMO_CITY", [])
    context = ValidationContext.best_available()
    assert (context.source, context.departments, context.roles) == (
        "database",
        frozenset(),
        frozenset(),
    )
    with pytest.raises(LookupError):
        ValidationContext.from_demo_city()
