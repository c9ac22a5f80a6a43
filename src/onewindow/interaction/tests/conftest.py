"""The hotline's tests: uploads in memory, the test category tree."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.test import Client

from onewindow.identity.models import Person
from onewindow.interaction.models import Category
from onewindow.testing.factories import PersonFactory
from onewindow.testing.hotline import category_tree

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _uploads_in_memory(memory_storage: None) -> None:
    return None


@pytest.fixture
def tree(db: Any) -> dict[str, Category]:
    return category_tree()


@pytest.fixture
def person(db: Any) -> Person:
    return cast(Person, PersonFactory(name="张小明", phone="13912345678"))


@pytest.fixture
def resident_client(person: Person) -> Client:
    assert person.user is not None
    client = Client()
    client.force_login(person.user)
    return client
