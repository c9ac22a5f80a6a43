"""The printed demo residents' wallets: each holds an electronic 往来港澳通行证 (hk-macau-permit),
so the HK/Macao re-endorsement can be applied for with the permit from the wallet. Issued
through the licences app like any licence, once per person (the issue key)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from onewindow.audit.services import Actor
from onewindow.demo import data
from onewindow.identity.selectors import department_get, person_find_by_phone

if TYPE_CHECKING:
    from onewindow.identity.models import Person

PERMIT_TYPE = "hk-macau-permit"
PERMIT_ISSUER = "gz-gaj"  # the public security bureau's exit-entry administration


def permit_number(*, seed: int, phone: str) -> str:
    """A permit number in the form's pattern (a letter and eight digits), stable per seed."""
    digest = int(hashlib.sha256(f"onewindow-demo-permit:{seed}:{phone}".encode()).hexdigest(), 16)
    return f"C{digest % 10**8:08d}"


def issue_key(person: Person) -> str:
    return f"demo:{PERMIT_TYPE}:person-{person.pk}"


def demo_wallets_seed(*, seed: int) -> int:
    """Give each printed demo resident a valid permit; returns how many were issued now (0 on
    a second run). Call inside the seed's transaction."""
    from onewindow.licences.selectors import licence_exists
    from onewindow.licences.services import licence_issue

    people = []
    for phone, _name, _code in data.DEMO_RESIDENTS:
        person = person_find_by_phone(phone=phone)
        if person is not None:
            people.append((person, phone))
    people.sort(key=lambda found: found[0].pk)  # issued in the order the people were seeded
    issuer = department_get(code=PERMIT_ISSUER)
    added = 0
    for person, phone in people:
        key = issue_key(person)
        if licence_exists(issue_key=key):
            continue
        licence_issue(
            actor=Actor.system("seed_demo"),
            licence_type_code=PERMIT_TYPE,
            holder_person=person,
            claims={"permitNumber": permit_number(seed=seed, phone=phone)},
            issue_key=key,
            department=issuer,
        )
        added += 1
    return added
