"""The ratings tests' scene: a resident (their account and real-name record, with a phone),
the department and the member of staff who handled what they rate, and subjects registered
as the concluding apps register them (``subject_expect`` inside a transaction)."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from typing import Any, cast

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from onewindow.identity.models import Department, Person, User
from onewindow.ratings.models import Subject
from onewindow.ratings.services import subject_expect
from onewindow.testing.factories import DepartmentFactory, make_person, make_staff

_refs = itertools.count(1)

# every online dimension at one level, as the form posts them
ONLINE = ("overall", "efficiency", "guide", "convenience", "usability")


def online(level: int | str, **others: int | str) -> dict[str, int | str]:
    return {**dict.fromkeys(ONLINE[1:], level), **others}


@pytest.fixture
def rater(db: Any) -> Person:
    return make_person(name="陈小明", phone="13800138001")


@pytest.fixture
def other(db: Any) -> Person:
    return make_person(name="王芳", phone="13800138002")


@pytest.fixture
def department(db: Any) -> Department:
    return cast(Department, DepartmentFactory(code="gz-rating-dept", name="市测试局"))


@pytest.fixture
def handler(department: Department) -> User:
    return make_staff(department=department).user


@pytest.fixture
def expect(rater: Person, department: Department, handler: User) -> Callable[..., Subject]:
    """Register a subject of ``rater`` (a concluded case unless told otherwise)."""

    def make(**given: Any) -> Subject:
        ref = next(_refs)
        values: dict[str, Any] = {
            "kind": "case",
            "ref": f"t{ref}",
            "number": f"4401062026{ref:06d}",
            "title": "高校毕业生就业登记",
            "channel": "online",
            "service_code": "grad-employment",
            "service_name": "高校毕业生就业登记",
            "department_id": department.pk,
            "handled_by_id": handler.pk,
            "rater_id": rater.user_id,
            "person_id": rater.pk,
            "link": f"/cases/4401062026{ref:06d}/",
            "concluded_at": timezone.now() - datetime.timedelta(days=1),
        }
        values.update(given)
        with transaction.atomic():
            subject_id = subject_expect(**values)
        return Subject.objects.get(pk=subject_id)

    return make


@pytest.fixture
def subject(expect: Callable[..., Subject]) -> Subject:
    return expect()


@pytest.fixture
def rater_client(rater: Person) -> Client:
    client = Client()
    assert rater.user is not None
    client.force_login(rater.user)
    return client
