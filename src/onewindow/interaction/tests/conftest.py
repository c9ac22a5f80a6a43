"""The hotline tests' scene: uploads in memory, the test category tree, the demo city (its
hotline dispatcher at zsj and an order handler in each department), residents who file, and
orders made directly with the models (``orders.make_request``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from onewindow.identity.models import Department, Person, User
from onewindow.interaction.models import Category
from onewindow.testing.factories import make_person
from onewindow.testing.hotline import category_tree

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _uploads_in_memory(memory_storage: None) -> None:
    return None


@pytest.fixture
def tree(db: Any) -> dict[str, Category]:
    return category_tree()


@pytest.fixture
def dispatcher(staff: Callable[[str], User]) -> User:
    return staff("zsj_dispatcher")


@pytest.fixture
def dept(city: None) -> Callable[[str], Department]:
    def get(code: str) -> Department:
        return Department.objects.get(code=code)

    return get


@pytest.fixture
def streetlights(city: None) -> Category:
    """路灯不亮: answered by the urban management bureau by default."""
    parent = Category.objects.create(code="city", name="城市管理", department_code="gz-cgj")
    return Category.objects.create(code="city.lights", name="路灯不亮", parent=parent)


@pytest.fixture
def person(db: Any) -> Person:
    return make_person(name="陈小明", phone="13800138001")


@pytest.fixture
def resident_client(person: Person) -> Client:
    assert person.user is not None
    client = Client()
    client.force_login(person.user)
    return client
