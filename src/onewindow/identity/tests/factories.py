"""Typed wrappers around the shared factories (factory_boy returns model instances at run
time, but type checkers see the factory class)."""

from __future__ import annotations

from typing import Any, cast

from onewindow.identity.models import Person, Role, Staff, User
from onewindow.testing.factories import PersonFactory, RoleFactory, StaffFactory


def make_person(**kwargs: Any) -> Person:
    return cast(Person, PersonFactory(**kwargs))


def make_staff(**kwargs: Any) -> Staff:
    return cast(Staff, StaffFactory(**kwargs))


def make_role(**kwargs: Any) -> Role:
    return cast(Role, RoleFactory(**kwargs))


def user_of(person: Person) -> User:
    assert person.user is not None
    return person.user
