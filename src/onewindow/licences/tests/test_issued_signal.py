"""``licences.signals.licence_issued``: told once per new licence, inside the issuing
transaction (a case's establishment is noted through it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from onewindow.audit.services import Actor
from onewindow.licences.services import licence_issue
from onewindow.licences.signals import IssuedLicence, licence_issued
from onewindow.testing.factories import CompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def told() -> Iterator[list[IssuedLicence]]:
    seen: list[IssuedLicence] = []

    def receive(sender: object, licence: IssuedLicence, **kwargs: object) -> None:
        seen.append(licence)

    licence_issued.connect(receive, dispatch_uid="test.licence_issued")
    yield seen
    licence_issued.disconnect(dispatch_uid="test.licence_issued")


def test_a_new_licence_is_told_once_and_a_retry_tells_nothing(told: list[IssuedLicence]) -> None:
    company: Any = CompanyFactory()
    first = licence_issue(
        actor=Actor.system("test"),
        licence_type_code="business-licence",
        holder_company=company,
        issue_key="retry-me",
    )
    again = licence_issue(
        actor=Actor.system("test"),
        licence_type_code="business-licence",
        holder_company=company,
        issue_key="retry-me",
    )
    assert again.pk == first.pk
    assert told == [
        IssuedLicence(
            id=first.pk,
            number=first.number,
            licence_type="business-licence",
            case_id=None,
            holder_person_id=None,
            holder_company_id=company.pk,
        )
    ]
