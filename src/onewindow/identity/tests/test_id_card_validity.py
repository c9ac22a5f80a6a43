"""The resident ID card's last valid day on the person record, and the batched reads a
sweep over the population walks (residents with an account, in order, a batch at a time)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.identity import selectors, services
from onewindow.identity.models import Person
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_the_id_card_validity_is_recorded_once_and_audited() -> None:
    person: Any = PersonFactory()
    for _ in range(2):
        services.person_id_card_validity_set(
            actor=Actor.system("test"), person_id=person.pk, valid_until=datetime.date(2027, 1, 5)
        )
    assert Person.objects.get(pk=person.pk).id_card_valid_until == datetime.date(2027, 1, 5)
    (row,) = AuditEvent.objects.filter(action="identity.person.id_card_validity")
    assert row.changes == {"id_card_valid_until": [None, "2027-01-05"]}


def test_person_rows_come_in_batches_of_residents_with_an_account() -> None:
    people: list[Any] = [PersonFactory() for _ in range(3)]
    PersonFactory(user=None)  # no account: nobody to tell
    first = selectors.person_rows_after(after_pk=0, limit=2)
    assert [row.pk for row in first] == [people[0].pk, people[1].pk]
    rest = selectors.person_rows_after(after_pk=first[-1].pk, limit=2)
    assert [row.pk for row in rest] == [people[2].pk]
    assert rest[0].phone == people[2].phone and rest[0].user_id == people[2].user_id
    assert selectors.person_row_get(pk=people[0].pk) == first[0]
    quiet = selectors.person_rows_after(after_pk=0, limit=1, phone=False)
    assert quiet[0].phone == "" and quiet[0].name == first[0].name
