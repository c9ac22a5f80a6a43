"""What a package is checked against: the departments and roles that exist and the
vocabulary. Normally read from the database; when the database has no departments yet
(a fresh checkout), the demo city's structure stands in so packages can be checked early.
``from_vocabulary`` reads no database and checks no departments or roles.

The catalogue does not know the demo city: the demo app registers its structure
(:func:`register_demo_city`) from its ``AppConfig.ready()``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import DatabaseError

from onewindow.catalog.packages.vocabulary import Vocabulary, vocabulary_load


@dataclass(frozen=True)
class CityStructure:
    """The department and role codes of a city whose structure may stand in for the
    database's."""

    departments: frozenset[str]
    roles: frozenset[str]


# The demo city's structure, as registered by the app that has one (none: no demo city).
_DEMO_CITY: list[Callable[[], CityStructure]] = []


def register_demo_city(structure: Callable[[], CityStructure]) -> None:
    """Register (or replace) what gives the demo city's structure: it stands in for the
    database's while the database has no departments, and ``service_validate --demo-city``
    checks against it."""
    _DEMO_CITY[:] = [structure]


@dataclass(frozen=True)
class ValidationContext:
    departments: frozenset[str]
    roles: frozenset[str]
    vocabulary: Vocabulary
    source: str = "database"  # or "demo-city", or "vocabulary" (no city checks)

    @property
    def checks_city(self) -> bool:
        return self.source != "vocabulary"

    def has_department(self, code: str) -> bool:
        return not self.checks_city or code in self.departments

    def has_role(self, code: str) -> bool:
        return not self.checks_city or code in self.roles

    @classmethod
    def from_vocabulary(cls, *, vocabulary: Vocabulary | None = None) -> ValidationContext:
        """The vocabulary alone, without the database or any city: departments and roles
        are not checked (a package tried out locally, ``service_try``)."""
        return cls(
            departments=frozenset(),
            roles=frozenset(),
            vocabulary=vocabulary or vocabulary_load(),
            source="vocabulary",
        )

    @classmethod
    def from_database(cls, *, vocabulary: Vocabulary | None = None) -> ValidationContext:
        from onewindow.identity.selectors import department_codes, role_codes

        return cls(
            departments=department_codes(),
            roles=role_codes(),
            vocabulary=vocabulary or vocabulary_load(),
        )

    @classmethod
    def from_demo_city(cls, *, vocabulary: Vocabulary | None = None) -> ValidationContext:
        """The demo city's structure (:func:`register_demo_city`); LookupError without one."""
        if not _DEMO_CITY:
            raise LookupError("no demo city is registered (the demo app is not installed)")
        city = _DEMO_CITY[0]()
        return cls(
            departments=city.departments,
            roles=city.roles,
            vocabulary=vocabulary or vocabulary_load(),
            source="demo-city",
        )

    @classmethod
    def best_available(cls, *, vocabulary: Vocabulary | None = None) -> ValidationContext:
        """The database if it has departments, else the demo city's structure (if there is
        a demo city: else the database's, empty)."""
        try:
            context = cls.from_database(vocabulary=vocabulary)
        except DatabaseError:
            if not _DEMO_CITY:
                raise
            return cls.from_demo_city(vocabulary=vocabulary)
        if not context.departments and _DEMO_CITY:
            return cls.from_demo_city(vocabulary=vocabulary)
        return context
