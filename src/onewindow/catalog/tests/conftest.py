from __future__ import annotations

import pytest

from onewindow.audit.services import Actor


@pytest.fixture
def city(db):
    from onewindow.demo.city import city_structure_seed

    city_structure_seed(seed=1)


@pytest.fixture
def actor() -> Actor:
    return Actor.system("test")
