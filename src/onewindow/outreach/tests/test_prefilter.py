"""The sweep's prefilter: the database leaves out only residents the evaluator would refuse,
so a rule pushes exactly the same people with it as without it (a condition it cannot
compile included)."""

from __future__ import annotations

import datetime

import pytest

from onewindow.identity.selectors import person_rows_after, person_rows_window
from onewindow.outreach.evaluate import Candidate, Rule, evaluate, person_names
from onewindow.outreach.facts import full_years, row_fields
from onewindow.outreach.prefilter import person_bounds, years_before
from onewindow.testing.outreach import resident_with_id_card

TODAY = datetime.date(2028, 2, 29)
CONDITIONS = [
    "id_card_days_left is not None and 0 <= id_card_days_left <= 90",
    "90 >= id_card_days_left and id_card_days_left > -1",
    "id_card_days_left == 10",
    "id_card_days_left is None",
    "age >= 18 and district == '440106'",
    "age == 6 or age == 7",  # an or: not compiled
    "age < 18 and district in ['440106', '440104']",
    "age > 60 and id_card_days_left < 30",
    "len(name) > 100 or id_card_days_left == 10",  # nothing compiled
    "true",
]


def rule(condition: str) -> Rule:
    return Rule(
        id=1,
        code="r",
        trigger="schedule",
        condition=condition,
        variables=(),
        template="t",
        reason="r",
        object_key="o",
        source_key="",
        link="",
        channels=("inapp",),
    )


@pytest.mark.django_db
def test_the_prefilter_gives_exactly_the_evaluators_matches() -> None:
    births: list[datetime.date | None] = [
        datetime.date(2010, 2, 28),
        datetime.date(2010, 3, 1),
        datetime.date(1960, 2, 29),
    ]
    births += [datetime.date(2022, 2, 28), datetime.date(2021, 3, 1), None]
    for n, days in enumerate([-1, 0, 1, 10, 30, 89, 90, 91, None]):
        for m, born in enumerate(births):
            until = TODAY + datetime.timedelta(days=days) if days is not None else None
            resident_with_id_card(
                until, birth_date=born, region_code=["440106", "440104", "440111"][(n + m) % 3]
            )
    everyone = person_rows_after(after_pk=0, limit=1000, phone=False)
    for condition in CONDITIONS:
        spec = rule(condition)
        alone = {r.pk for r in everyone if evaluate(spec, Candidate(row=r), today=TODAY)}
        narrowed: set[int] = set()
        after, walked = 0, 0
        while True:
            window = person_rows_window(
                after_pk=after,
                limit=7,
                fields=row_fields(person_names(spec)),
                where=person_bounds(condition, today=TODAY),
            )
            walked += window.walked
            narrowed |= {r.pk for r in window.rows if evaluate(spec, Candidate(row=r), today=TODAY)}
            if window.walked < 7:
                break
            after = window.last_pk
        assert narrowed == alone, condition
        assert walked == len(everyone)
    assert person_bounds("len(name) > 100 or id_card_days_left == 10", today=TODAY) == ()


def test_age_bounds_match_full_years_around_29_february() -> None:
    start = datetime.date(1999, 1, 1)
    for today in [
        datetime.date(2028, 2, 29),
        datetime.date(2027, 2, 28),
        datetime.date(2027, 3, 1),
    ]:
        for years in (0, 1, 6, 18, 28):
            last = years_before(today, years)
            for n in range(0, 12000, 1):
                born = start + datetime.timedelta(days=n)
                if born > today:
                    break
                assert (full_years(born, today) >= years) == (born <= last), (today, years, born)
