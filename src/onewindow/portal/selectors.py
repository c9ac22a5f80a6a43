"""Reads for the citizen page: the resident's home page (its sections, see
``portal.sections`` and the contract in ``onewindow.core.home``), a company's page for the
people who act for it, the message centre, and the public landing page's popular services."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.catalog.selectors import service_search, services_sorted
from onewindow.core.home import (
    HomeItem,
    HomeSection,
    Unavailable,
    home_section_collect,
    home_section_keys,
)

if TYPE_CHECKING:
    from onewindow.identity.models import User

logger = logging.getLogger(__name__)

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
class PopularService:
    code: str
    name: str
    url: str


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


# --- the resident's home page ------------------------------------------------------------------

HOME_LIMIT = 5


@dataclass(frozen=True)
class CompanyChoice:
    """A company the resident acts for today: its page is one switch away."""

    uscc: str
    name: str
    role_label: str
    url: str


@dataclass(frozen=True)
class HomePage:
    """What the resident's home page shows. The greeting is the resident's own name, in
    full: the page is theirs alone. ``sections`` has every key of ``portal.sections.KEYS``;
    ``order`` is the order the page shows them: sections with more urgent items first."""

    greeting_name: str
    sections: dict[str, HomeSection]
    order: tuple[str, ...]
    companies: tuple[CompanyChoice, ...] = ()
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    def __getitem__(self, key: str) -> HomeSection:
        return self.sections[key]


def _ordered(sections: dict[str, HomeSection], keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(keys, key=lambda key: (-sections[key].urgent, keys.index(key))))


def _registered(key: str, *, user: User, limit: int) -> HomeSection:
    from onewindow.portal.sections import titles

    return home_section_collect(key, user=user, limit=limit, title=titles()[key])


def _guarded(key: str, build: Callable[[], HomeSection]) -> HomeSection:
    """A built-in section whose source fails shows as unreachable, like a provider's."""
    from onewindow.portal.sections import titles

    try:
        return build()
    except Exception:
        logger.exception("home section %s failed", key)
        return HomeSection(
            key=key, title=titles()[key], unavailable=(Unavailable(source=titles()[key]),)
        )


def company_choices_for(*, user: User) -> tuple[CompanyChoice, ...]:
    from onewindow.identity.selectors import company_roles_for_person, person_for_user

    person = person_for_user(user)
    if person is None:
        return ()
    return tuple(
        CompanyChoice(
            uscc=role.company.uscc,
            name=role.company.name,
            role_label=role.role_label,
            url=reverse("portal:company_home", kwargs={"uscc": role.company.uscc}),
        )
        for role in company_roles_for_person(person=person)
    )


def home_page_for(*, user: User, limit: int = HOME_LIMIT) -> HomePage:
    """The home page of a logged-in resident: every section, most urgent first."""
    from onewindow.portal import sections as s
    from onewindow.portal.recommend import recommendations_section

    builders: dict[str, Callable[[], HomeSection]] = {
        s.CASES: lambda: s.cases_section(user=user, limit=limit),
        s.TASKS_FOR_ME: lambda: s.tasks_section(user=user, limit=limit),
        s.PAYMENTS_DUE: lambda: s.payments_section(user=user, limit=limit),
        s.LICENCES: lambda: s.licences_section(user=user, limit=limit),
        s.BILLS: lambda: _registered(s.BILLS, user=user, limit=limit),
        s.MESSAGES: lambda: s.messages_section(user=user, limit=limit),
        s.REPLIES: lambda: _registered(s.REPLIES, user=user, limit=limit),
        s.APPOINTMENTS: lambda: s.appointments_section(user=user, limit=limit),
        s.SHIPMENTS: lambda: s.shipments_section(user=user, limit=limit),
        s.RECOMMENDATIONS: lambda: recommendations_section(user=user, limit=limit),
    }
    sections = {key: _guarded(key, build) for key, build in builders.items()}
    # sections other apps registered beyond the platform's own (the library's loans …)
    extra = tuple(key for key in home_section_keys() if key not in builders)
    for key in extra:
        sections[key] = _guarded(key, partial(home_section_collect, key, user=user, limit=limit))
    return HomePage(
        greeting_name=resident_greeting_name(user=user),
        sections=sections,
        order=_ordered(sections, s.KEYS + extra),
        companies=company_choices_for(user=user),
    )


def resident_home_page(*, user: User, limit: int = HOME_LIMIT) -> HomePage:
    """The resident's home page as kept under its current version (``portal.home_cache``),
    built afresh when anything on it changed, on a new day, or after a short while."""
    from onewindow.portal.home_cache import home_page_kept

    return home_page_kept(user=user, build=lambda: home_page_for(user=user, limit=limit))


# --- a company's page -----------------------------------------------------------------------

ANNUAL_REPORT_SERVICE = "annual-report"
ANNUAL_REPORT_CLOSES = (6, 30)  # 企业年报: 1 January to 30 June, for the year before


@dataclass(frozen=True)
class CompanyPage:
    uscc: str
    name: str
    role_label: str
    sections: dict[str, HomeSection]
    order: tuple[str, ...]
    reminders: HomeSection  # 年报提醒
    companies: tuple[CompanyChoice, ...]


def annual_report_reminders(
    *, company_id: int, today: datetime.date | None = None
) -> list[HomeItem]:
    """The annual report (企业年度报告公示) due between 1 January and 30 June for the year
    before: urgent while the window is open and the company has not filed; otherwise when
    the next window opens."""
    from onewindow.cases.selectors import company_service_codes_since

    today = today or timezone.localdate()
    closes = datetime.date(today.year, *ANNUAL_REPORT_CLOSES)
    opened = timezone.make_aware(datetime.datetime(today.year, 1, 1))
    filed = ANNUAL_REPORT_SERVICE in company_service_codes_since(
        company_id=company_id, since=opened
    )
    apply_url = reverse("cases:apply_start", kwargs={"code": ANNUAL_REPORT_SERVICE})
    if today <= closes and not filed:
        return [
            HomeItem(
                key="annual-report",
                title=_("请报送%(year)d年度报告") % {"year": today.year - 1},
                url=apply_url,
                status=_("待报送"),
                detail=_("报送截止日期 %(date)s") % {"date": closes.isoformat()},
                due_on=closes,
                urgent=True,
                next_step=_("在线报送年报"),
            )
        ]
    next_year = today.year + 1
    return [
        HomeItem(
            key="annual-report",
            title=_("%(year)d年度报告") % {"year": next_year - 1},
            url=apply_url,
            status=_("已报送") if filed else _("未到报送期"),
            detail=_("报送期 %(start)s 至 %(end)s")
            % {
                "start": datetime.date(next_year, 1, 1).isoformat(),
                "end": datetime.date(next_year, *ANNUAL_REPORT_CLOSES).isoformat(),
            },
            due_on=datetime.date(next_year, *ANNUAL_REPORT_CLOSES),
        )
    ]


COMPANY_KEYS = ("cases", "tasks_for_me", "payments_due", "licences")


def company_page_for(*, user: User, uscc: str, limit: int = HOME_LIMIT) -> CompanyPage | None:
    """A company's page for a person who acts for it today (its legal representative or an
    agent in force); None for anyone else."""
    from onewindow.portal import sections as s

    companies = company_choices_for(user=user)
    chosen = next((c for c in companies if c.uscc == (uscc or "").strip().upper()), None)
    if chosen is None:
        return None
    from onewindow.identity.selectors import company_get_by_uscc

    company = company_get_by_uscc(uscc=chosen.uscc)
    if company is None:
        return None
    cid = company.pk
    builders: dict[str, Callable[[], HomeSection]] = {
        s.CASES: lambda: s.cases_section(user=None, company_id=cid, limit=limit),
        s.TASKS_FOR_ME: lambda: s.tasks_section(user=user, company_id=cid, limit=limit),
        s.PAYMENTS_DUE: lambda: s.payments_section(user=None, company_id=cid, limit=limit),
        s.LICENCES: lambda: s.licences_section(user=None, company_id=cid, limit=limit),
    }
    sections = {key: _guarded(key, build) for key, build in builders.items()}
    return CompanyPage(
        uscc=chosen.uscc,
        name=chosen.name,
        role_label=chosen.role_label,
        sections=sections,
        order=_ordered(sections, COMPANY_KEYS),
        reminders=HomeSection(
            key="reminders",
            title=_("年报提醒"),
            items=tuple(annual_report_reminders(company_id=cid)),
        ),
        companies=companies,
    )
