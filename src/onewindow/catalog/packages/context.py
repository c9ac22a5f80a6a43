"""What a package is checked against: the departments and roles that exist and the
vocabulary. Normally read from the database; when the database has no departments yet
(a fresh checkout), the demo city's structure stands in so packages can be checked early."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import DatabaseError

from onewindow.catalog.packages.vocabulary import Vocabulary, vocabulary_load


@dataclass(frozen=True)
class ValidationContext:
    departments: frozenset[str]
    roles: frozenset[str]
    vocabulary: Vocabulary
    source: str = "database"  # or "demo-city"

    @classmethod
    def from_database(cls, *, vocabulary: Vocabulary | None = None) -> ValidationContext:
        from onewindow.identity.models import Department, Role

        return cls(
            departments=frozenset(Department.objects.values_list("code", flat=True)),
            roles=frozenset(Role.objects.values_list("code", flat=True)),
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
