"""Fixtures every app's tests may use, loaded as a pytest plugin by the repository's root
conftest (``pytest_plugins``): the demo city's departments and staff, the resident who
applies, a company they act for, the case tests' service package published, uploads kept in
memory, and ``transaction.on_commit`` run inside a test.

``memory_storage`` is not automatic: a test folder that wants it for every test asks for it
in an autouse fixture of its conftest, a module with ``pytest.mark.usefixtures``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from django.test import TestCase

from onewindow.catalog.models import ServiceVersion
from onewindow.demo.city import city_structure_seed
from onewindow.identity.models import Person, User
from onewindow.notify.providers.fake import FakeSmsProvider
from onewindow.testing.cases import ANSWERS, publish
from onewindow.testing.factories import CompanyFactory, PersonFactory


@pytest.fixture
def memory_storage(settings: Any) -> Iterator[None]:
    """Uploaded files (materials, licences) go to Django's in-memory storage."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    yield


@pytest.fixture
def city(db: Any) -> None:
    city_structure_seed(seed=1)


@pytest.fixture
def staff(city: None) -> Callable[[str], User]:
    def get(username: str) -> User:
        return User.objects.get(username=username)

    return get


@pytest.fixture
def parallel_service(city: None, tmp_path: Path) -> ServiceVersion:
    return publish(tmp_path)


@pytest.fixture
def resident(db: Any) -> Person:
    """The resident whose real-name record the form's applicant questions come from: the
    same name, citizen ID and phone as :data:`onewindow.testing.cases.ANSWERS`."""
    person: Any = PersonFactory(
        name=ANSWERS["applicant_name"], id_number=ANSWERS["id_number"], phone=ANSWERS["phone"]
    )
    return cast(Person, person)


@pytest.fixture
def company_for(db: Any) -> Callable[[Person], Any]:
    from onewindow.identity.models import CompanyAgent

    def make(person: Person) -> Any:
        company: Any = CompanyFactory()
        CompanyAgent.objects.create(company=company, person=person, role="legal_rep")
        return company

    return make


class OnCommit:
    """Run ``transaction.on_commit`` callbacks (the Celery hand-off) inside a test
    transaction, as the commit would."""

    def __call__(self) -> Any:
        return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def commit() -> OnCommit:
    return OnCommit()


@pytest.fixture
def fake_sms() -> Iterator[type[FakeSmsProvider]]:
    """The fake SMS gateway, emptied before and after the test (what it was asked to send)."""
    FakeSmsProvider.reset()
    yield FakeSmsProvider
    FakeSmsProvider.reset()
