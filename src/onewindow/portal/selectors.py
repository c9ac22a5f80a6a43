"""Reads for the citizen page. Each section of the resident's home page comes from here;
later features (cases, licences, bills, the message centre) fill the lists. The public
landing page's popular services come from here too."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from onewindow.catalog.selectors import service_search, services_sorted

if TYPE_CHECKING:
    from onewindow.identity.models import User

POPULAR_COUNT = 8
POPULAR_WINDOW = datetime.timedelta(days=365)
POPULAR_CACHE_KEY = "portal:popular-services:v1"
POPULAR_CACHE_SECONDS = 600
# Everyday services shown, in this order, while fewer than POPULAR_COUNT services have cases
# (a new city, a fresh demo). Codes that are not live are skipped.
EVERYDAY_SERVICES = (
    "hukou-transfer-within-city",
    "social-security-card",
    "provident-fund-withdrawal-rent",
    "residence-permit",
    "company-registration-one-stop",
    "real-estate-transfer-registration",
    "birth-one-stop",
    "no-criminal-record",
)


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
class PopularService:
    code: str
    name: str
    url: str


@dataclass(frozen=True)
class HomeSections:
    """What the resident's home page shows. The greeting is the resident's own name, in
    full: the page is theirs alone."""

    greeting_name: str
    cases: list[CaseSummary] = field(default_factory=list)
    licences: list[LicenceSummary] = field(default_factory=list)
    bills: list[BillSummary] = field(default_factory=list)
    messages: list[MessageSummary] = field(default_factory=list)


def resident_greeting_name(*, user: User) -> str:
    """The name to greet a resident with, in full (a person sees their own name): the
    real-name record's name if there is one, else the account's display name."""
    person = getattr(user, "person", None)
    if person is not None and person.name:
        return str(person.name)
    return str(getattr(user, "display_name", "") or "")


def _popular_codes() -> list[str]:
    """Service codes by cases submitted in the last year, most used first (cached briefly:
    the public page is read far more often than it changes)."""
    codes = cache.get(POPULAR_CACHE_KEY)
    if codes is None:
        from onewindow.cases.selectors import case_counts_by_service

        counts = case_counts_by_service(since=timezone.now() - POPULAR_WINDOW)
        codes = sorted(counts, key=lambda code: (-counts[code], code))
        cache.set(POPULAR_CACHE_KEY, codes, POPULAR_CACHE_SECONDS)
    return list(codes)


def popular_services(*, limit: int = POPULAR_COUNT) -> list[PopularService]:
    """The services most used (cases submitted in the last year); while too few have cases,
    the everyday services, then the other personal services in name order, fill the rest.
    Only live services, each with its guide's address."""
    live = {service.code: service for service in service_search()}
    fallback = [code for code in EVERYDAY_SERVICES if code in live] + [
        s.code
        for s in services_sorted(live.values())
        if s.kind == "personal" and s.code not in EVERYDAY_SERVICES
    ]
    chosen: list[str] = []
    for code in [*_popular_codes(), *fallback]:
        if code in live and code not in chosen:
            chosen.append(code)
        if len(chosen) == limit:
            break
    return [
        PopularService(
            code=code,
            name=live[code].display_name,
            url=reverse("catalog:service_guide", kwargs={"code": code}),
        )
        for code in chosen
    ]


def live_service_count() -> int:
    return service_search().count()


def _case_summaries(user: User, limit: int = 5) -> list[CaseSummary]:
    """The resident's latest cases and drafts (a draft links back to where it was left)."""
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


def _licence_summaries(user: User, limit: int = 5) -> list[LicenceSummary]:
    from onewindow.licences.selectors import licence_summaries

    return [LicenceSummary(**row) for row in licence_summaries(user=user, limit=limit)]


def home_sections_for(*, user: User) -> HomeSections:
    """The home page of a logged-in resident. Licences, bills and messages stay empty until
    the features that own them provide selectors."""
    return HomeSections(
        greeting_name=resident_greeting_name(user=user),
        cases=_case_summaries(user),
        licences=_licence_summaries(user),
    )
