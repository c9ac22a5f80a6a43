"""为您推荐: services for the resident's situation, each with why: the life event of a
service they used, their age; never one they already applied for."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.catalog.services import service_packages_import
from onewindow.portal.recommend import recommendations_for
from onewindow.testing.demo_packages import catalog_dir
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db
CODES = ("birth-registration", "maternity-allowance", "hukou-birth", "elderly-longevity-allowance")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def services(city: Any) -> dict[str, Any]:
    versions = service_packages_import(
        actor=Actor.system("test"), paths=[catalog_dir() / code for code in CODES]
    )
    return {v.service.code: v for v in versions}


def test_a_used_services_life_event_brings_its_neighbours(services: dict[str, Any]) -> None:
    person: Any = PersonFactory(birth_date=datetime.date(1992, 5, 1))
    Case.objects.create(
        service_version=services["birth-registration"],
        created_by=person.user,
        applicant_person=person,
        number="R1",
        status=Case.Status.APPROVED,
        submitted_at=timezone.now(),
    )
    items = recommendations_for(user=person.user, limit=4)
    by_code = {item.key: item for item in items}
    assert "birth-registration" not in by_code  # applied for already
    assert by_code["maternity-allowance"].reason == "因为您办理过“生育登记”（生育收养）"
    assert by_code["hukou-birth"].url == "/services/hukou-birth/"
    assert "elderly-longevity-allowance" not in by_code  # 34 years old


def test_age_brings_the_elderly_services(services: dict[str, Any]) -> None:
    person: Any = PersonFactory(birth_date=datetime.date(1950, 1, 1))
    (item,) = recommendations_for(user=person.user, limit=4)
    assert (item.key, item.reason) == ("elderly-longevity-allowance", "因为您已年满 60 周岁")
