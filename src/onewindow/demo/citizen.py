"""The printed demo residents' citizen page, filled before they first log in: a resident
account for each (as their first SMS login would make), water, electricity and social
insurance bound at the fake providers with a year of bills, a library card with two loans
and volunteer hours, and the ID-card reminder pushed by its rule (the first resident's card
runs out in 60 days). Idempotent; runs outside any transaction (each step is its own use
case), after the city is seeded."""

from __future__ import annotations

from dataclasses import dataclass

from onewindow.audit.services import Actor
from onewindow.demo import data
from onewindow.identity.selectors import person_find_by_phone


@dataclass(frozen=True)
class CitizenPageSeeded:
    residents: int
    subscriptions: int
    library_loans: int
    pushes: int


def demo_citizen_page_seed() -> CitizenPageSeeded:
    from onewindow.bills.services import bills_demo_seed
    from onewindow.identity.services import resident_account_ensure
    from onewindow.onepass.services import onepass_demo_seed
    from onewindow.outreach.services import outreach_demo_seed

    actor = Actor.system("demo-seed")
    people = []
    for phone, _name, _district in data.DEMO_RESIDENTS:
        person = person_find_by_phone(phone=phone)
        if person is None:
            continue
        resident_account_ensure(person_id=person.pk, actor=actor)
        person.refresh_from_db()
        people.append(person)
    if not people:
        return CitizenPageSeeded(0, 0, 0, 0)
    subscriptions = bills_demo_seed(people=people)
    first = people[0]
    assert first.user is not None
    library = onepass_demo_seed(user=first.user)
    pushes = outreach_demo_seed(person_id=first.pk)
    return CitizenPageSeeded(
        residents=len(people),
        subscriptions=len(subscriptions),
        library_loans=library.loans,
        pushes=len(pushes),
    )
