"""Which residents' pages a case's change alters (``onewindow.core.home``): the applicant's
account, the applicant and agent persons, the company applicant's people, and the parties
asked for consent. Watched from ``CasesConfig.ready()``; the services that change rows
without ``save()`` call :func:`case_home_changed` themselves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from onewindow.core.home import (
    HomeAudience,
    home_announce_once,
    home_announced,
    home_changed,
    home_watch,
)


def case_home_audience(*, case_ids: Iterable[int]) -> HomeAudience:
    """Everyone these cases show on the page of (one query, and one per consent party
    found by citizen ID only)."""
    from onewindow.cases.models import Case, CaseParty

    ids = list(case_ids)
    users: list[int | None] = []
    persons: list[int | None] = []
    companies: list[int | None] = []
    for user, person, agent, company in Case.objects.filter(pk__in=ids).values_list(
        "created_by_id", "applicant_person_id", "agent_id", "applicant_company_id"
    ):
        users.append(user)
        persons += [person, agent]
        companies.append(company)
    for person, bidx in CaseParty.objects.filter(case_id__in=ids).values_list(
        "person_id", "id_number_bidx"
    ):
        persons.append(person or _person_of(bidx))
    return HomeAudience.of(user_ids=users, person_ids=persons, company_ids=companies)


def _person_of(id_number_bidx: str | None) -> int | None:
    """A party asked for consent is found by the blind index of their citizen ID."""
    from onewindow.identity.selectors import person_find_by_id_number_bidx

    person = person_find_by_id_number_bidx(id_number_bidx=id_number_bidx or "")
    return person.pk if person is not None else None


def case_home_changed(*, case_ids: Iterable[int] = (), case: Any = None) -> None:
    """The pages of everyone these cases show on may have changed (rows changed without
    ``save()``: ``QuerySet.update()``, ``bulk_create()``). ``case``: a row in hand, whose
    people are read from it (its consent parties only while it waits for their consent)."""
    ids = [case.pk] if case is not None else list(case_ids)
    ids = [pk for pk in ids if home_announce_once(("cases.Case", pk))]
    if not ids:
        return
    audience = case_home_audience(case_ids=ids)
    home_changed(
        user_ids=audience.user_ids,
        person_ids=audience.person_ids,
        company_ids=audience.company_ids,
    )


def _case(case: Any) -> HomeAudience:
    if case.pk in _announced_cases():
        return HomeAudience()  # its people and its parties announced in this transaction
    return HomeAudience.of(
        user_ids=[case.created_by_id],
        person_ids=[case.applicant_person_id, case.agent_id],
        company_ids=[case.applicant_company_id],
    )


def _announced_cases() -> set[int]:
    """The cases whose every person (parties included) this transaction announced."""
    return {
        int(key[1]) for key in home_announced() if isinstance(key, tuple) and key[0] == "cases.Case"
    }


def _task(task: Any) -> HomeAudience:
    if not home_announce_once(("cases.Case", task.case_id)):
        return HomeAudience.of(company_ids=[task.company_id])
    audience = case_home_audience(case_ids=[task.case_id])
    return HomeAudience.of(
        user_ids=audience.user_ids,
        person_ids=audience.person_ids,
        company_ids=[*audience.company_ids, task.company_id],
    )


def _party(party: Any) -> HomeAudience:
    if not home_announce_once(("cases.Case", party.case_id)):
        return HomeAudience.of(person_ids=[party.person_id or _person_of(party.id_number_bidx)])
    audience = case_home_audience(case_ids=[party.case_id])
    return HomeAudience.of(
        user_ids=audience.user_ids,
        person_ids=[*audience.person_ids, party.person_id or _person_of(party.id_number_bidx)],
        company_ids=audience.company_ids,
    )


def watch() -> None:
    home_watch("cases.Case", _case)
    home_watch("cases.CaseTask", _task)
    home_watch("cases.CaseParty", _party)
