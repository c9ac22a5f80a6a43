"""What appointments knows of the case a booking is for: frozen values the cases app hands it.

Appointments reads no case. The cases app — which books through
``appointments.services.booking_create`` and imports this app, never the other way round —
registers from ``CasesConfig.ready()`` the function that answers for a list of case ids
(``appointments.services.case_facts_source_set``). Without one (appointments on its own) a
booking knows its case's id only."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NamedPerson:
    """A person the case names — the applicant (or the company's agent who applied), or a
    party such as the partner — as the office's desk lists them."""

    code: str  # ``applicant`` or the party's code
    label: str  # 申请人, 对方 …
    masked_name: str
    person_id: int | None


@dataclass(frozen=True)
class BookingCase:
    id: int
    number: str  # the case number; '' for a draft
    service_name: str  # in the active language
    definition: Mapping[str, Any]  # its service version's (``appointment:`` says who comes)
    persons: tuple[NamedPerson, ...] = ()  # the applicant first, then the parties named
    # A joint applicant who agreed (the other party of a marriage): party code → the phone on
    # their real-name record, for the reminder.
    joint_phones: Mapping[str, str] = field(default_factory=dict)
    concluded: bool = False
    called_off: bool = False  # withdrawn or refused: nobody is to come


CaseFactsSource = Callable[[Sequence[int]], Mapping[int, BookingCase]]
_SOURCE: list[CaseFactsSource] = []


def case_facts_source_set(source: CaseFactsSource | None) -> None:
    """Register (or, with None, remove) the function that tells appointments about cases."""
    _SOURCE[:] = [source] if source is not None else []


def booking_cases(case_ids: Iterable[int | None]) -> dict[int, BookingCase]:
    """The cases of these ids that the cases app knows (an empty dict without a source)."""
    ids = sorted({case_id for case_id in case_ids if case_id})
    if not ids or not _SOURCE:
        return {}
    return dict(_SOURCE[0](ids))


def booking_case(case_id: int | None) -> BookingCase | None:
    return booking_cases([case_id]).get(case_id) if case_id else None
