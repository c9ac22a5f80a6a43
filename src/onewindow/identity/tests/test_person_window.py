"""A window of the population, narrowed in the database: one statement gives the residents
of the window meeting the bounds, how many residents the window holds and its last key."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from onewindow.identity.selectors import PersonBound, person_rows_window
from onewindow.testing.factories import make_person

pytestmark = pytest.mark.django_db


def test_the_window_counts_every_resident_and_reads_only_those_meeting_the_bounds(
    django_assert_num_queries: Any,
) -> None:
    born = [datetime.date(1950, 1, 1), datetime.date(1990, 1, 1), datetime.date(2000, 1, 1)]
    people = [make_person(birth_date=b, region_code="440106") for b in born * 2]
    make_person(user=None)  # no account: not a resident the sweep looks at
    old = PersonBound("birth_date", "lte", datetime.date(1960, 1, 1))
    with django_assert_num_queries(1):
        window = person_rows_window(after_pk=0, limit=4, fields={"user_id", "phone"}, where=[old])
    assert (window.walked, window.last_pk) == (4, people[3].pk)
    assert [r.pk for r in window.rows] == [people[0].pk, people[3].pk]
    row = window.rows[0]
    assert (row.user_id, row.phone) == (people[0].user_id, people[0].phone)  # decrypted
    assert (row.name, row.birth_date, row.region_code) == ("", None, "")  # not asked for
    rest = person_rows_window(after_pk=window.last_pk, limit=4, where=[old])
    assert (rest.walked, rest.last_pk, rest.rows) == (2, people[-1].pk, [])  # none meets them
    assert person_rows_window(after_pk=rest.last_pk, limit=4).walked == 0
    assert person_rows_window(after_pk=rest.last_pk, limit=4).last_pk == rest.last_pk


def test_bounds_of_lists_and_empty_fields() -> None:
    a = make_person(region_code="440106")
    b = make_person(region_code="440104")
    c = make_person(region_code="440111")
    c.id_card_valid_until = datetime.date(2027, 1, 5)
    c.save()
    districts = PersonBound("region_code", "in", ["440104", "440111"])
    window = person_rows_window(after_pk=0, limit=10, fields={"region_code"}, where=[districts])
    assert [(r.pk, r.region_code) for r in window.rows] == [(b.pk, "440104"), (c.pk, "440111")]
    unknown = PersonBound("id_card_valid_until", "isnull", True)
    assert [r.pk for r in person_rows_window(after_pk=0, limit=10, where=[unknown]).rows] == [
        a.pk,
        b.pk,
    ]
    later = PersonBound("id_card_valid_until", "gte", datetime.date(2027, 1, 1))
    found = person_rows_window(after_pk=0, limit=10, where=[later]).rows
    assert [(r.pk, r.id_card_valid_until) for r in found] == [(c.pk, datetime.date(2027, 1, 5))]
    with pytest.raises(ValueError, match="unknown person fields"):
        person_rows_window(after_pk=0, limit=10, fields={"id_number"})
