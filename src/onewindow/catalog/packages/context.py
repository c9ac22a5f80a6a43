"""What a package is checked against: the departments and roles that exist and the
vocabulary. Normally read from the database; when the database has no departments yet
(a fresh checkout), the demo city's structure stands in so packages can be checked early.
``from_vocabulary`` reads no database and checks no departments or roles."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import DatabaseError

from onewindow.catalog.packages.vocabulary import Vocabulary, vocabulary_load


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
        from onewindow.demo import city, data

        departments = {city.ROOT_CODE}
        for spec in data.DEPARTMENTS:
            departments.add(f"gz-{spec.abbr}")
            departments.update(f"gz-{spec.abbr}-{district}" for district in spec.branch_districts)
        return cls(
            departments=frozenset(departments),
            roles=frozenset(spec.code for spec in data.ROLES),
            vocabulary=vocabulary or vocabulary_load(),
            source="demo-city",
        )

    @classmethod
    def best_available(cls, *, vocabulary: Vocabulary | None = None) -> ValidationContext:
        """The database if it has departments, else the demo city's structure."""
        try:
            context = cls.from_database(vocabulary=vocabulary)
        except DatabaseError:
            return cls.from_demo_city(vocabulary=vocabulary)
        if not context.departments:
            return cls.from_demo_city(vocabulary=vocabulary)
        return context
