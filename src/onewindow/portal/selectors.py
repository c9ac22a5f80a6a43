"""Reads for the citizen page. Each section of the resident's home page comes from here;
later features (cases, licences, bills, the message centre) fill the lists."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from onewindow.core.masking import mask_name


@dataclass(frozen=True)
class CaseSummary:
    reference: str
    service_name: str
    status: str
    updated_at: datetime.datetime
    url: str


@dataclass(frozen=True)
class LicenceSummary:
    name: str
    masked_number: str
    issued_on: datetime.date
    url: str


@dataclass(frozen=True)
class BillSummary:
    title: str
    amount: Decimal
    due_on: datetime.date | None
    status: str
    url: str


@dataclass(frozen=True)
class MessageSummary:
    title: str
    sent_at: datetime.datetime
    unread: bool
    url: str


@dataclass(frozen=True)
class HomeSections:
    """What the resident's home page shows. Names are already masked for display."""

    greeting_name: str
    cases: list[CaseSummary] = field(default_factory=list)
    licences: list[LicenceSummary] = field(default_factory=list)
    bills: list[BillSummary] = field(default_factory=list)
    messages: list[MessageSummary] = field(default_factory=list)


def resident_greeting_name(*, user: Any) -> str:
    """The masked name to greet a resident with: the real-name record's name if there is one,
    else the account's display name, masked the same way."""
    person = getattr(user, "person", None)
    if person is not None and person.name:
        return str(person.masked_name)
    return mask_name(getattr(user, "display_name", "") or "")


def _case_summaries(user: Any, limit: int = 5) -> list[CaseSummary]:
    """The resident's latest cases and drafts (a draft links back to where it was left)."""
    from django.urls import reverse

    from onewindow.cases.selectors import cases_for_user

    out = []
    for case in cases_for_user(user=user)[:limit]:
        if case.number:
            url = reverse("cases:case_detail", kwargs={"number": case.number})
        else:
            url = reverse("cases:draft_" + (case.step or "form"), kwargs={"case_id": case.pk})
        out.append(
            CaseSummary(
                reference=case.number or "",
                service_name=case.service_version.service.display_name,
                status=str(case.get_status_display()),
                updated_at=case.updated_at,
                url=url,
            )
        )
    return out


def _licence_summaries(user: Any, limit: int = 5) -> list[LicenceSummary]:
    from onewindow.licences.selectors import licence_summaries

    return [LicenceSummary(**row) for row in licence_summaries(user=user, limit=limit)]


def home_sections_for(user: Any) -> HomeSections:
    """The home page of a logged-in resident. Licences, bills and messages stay empty until
    the features that own them provide selectors."""
    return HomeSections(
        greeting_name=resident_greeting_name(user=user),
        cases=_case_summaries(user),
        licences=_licence_summaries(user),
    )
