"""The hotline tests' scene: the demo city (its hotline dispatcher at zsj and an order
handler in each department), a category of the catalogue, residents who file, and orders
made directly with the models (``orders.make_request``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from onewindow.identity.models import Department, Person, User
from onewindow.interaction.models import Category
from onewindow.testing.factories import make_person


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
