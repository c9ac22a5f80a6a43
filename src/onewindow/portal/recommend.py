"""为您推荐: services recommended for the resident's situation, each with the reason it is
shown. Read from what the platform already knows of the person: the life events of the
services they have used (a birth registration suggests the other 生育收养 services), their
age (from the real-name record's birth date) and their district (the services its own
departments offer). Services they have already applied for are not recommended.

The live personal services are read once and cached briefly: the page is read far more
often than the catalogue changes. Two queries per resident at most (their cases' services;
the live services when the cache is cold)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from onewindow.core.home import HomeItem, HomeSection

if TYPE_CHECKING:
    from onewindow.identity.models import User

CACHE_KEY = "portal:recommendable-services:v1"
CACHE_SECONDS = 600
CITY_REGION = "440100"  # a city-wide department's region: no district to speak of
AGE_EVENTS: tuple[tuple[int, int, tuple[str, ...]], ...] = (
    (60, 200, ("elderly-care", "retirement")),
    (18, 35, ("employment",)),
)


@dataclass(frozen=True)
class _Service:
    code: str
    name: str
    name_en: str
    life_events: tuple[str, ...]
    region_code: str
    department: str

    @property
    def display_name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


def _services() -> list[_Service]:
    rows = cache.get(CACHE_KEY)
    if rows is None:
        from onewindow.catalog.selectors import service_search

        rows = [
            _Service(
                code=code,
                name=name,
                name_en=name_en or "",
                life_events=tuple(events or ()),
                region_code=region or "",
                department=department or "",
            )
            for code, name, name_en, events, region, department in service_search(
                kind="personal"
            ).values_list(
                "code",
                "name",
                "name_en",
                "life_events",
                "department__region_code",
                "department__name",
            )
        ]
        cache.set(CACHE_KEY, rows, CACHE_SECONDS)
    return list(rows)


def _age(birth: datetime.date | None, today: datetime.date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def recommendations_for(*, user: User, limit: int = 4) -> list[HomeItem]:
    from onewindow.cases.selectors import cases_for_user
    from onewindow.catalog.selectors import vocabulary_choices

    person = getattr(user, "person", None)
    services = _services()
    by_code = {s.code: s for s in services}
    used = list(
        dict.fromkeys(
            cases_for_user(user=user, include_drafts=True).values_list(
                "service_version__service__code", flat=True
            )[:50]
        )
    )
    events = dict(vocabulary_choices("life_events"))
    chosen: dict[str, HomeItem] = {}

    def offer(service: _Service, reason: str) -> None:
        if service.code in chosen or service.code in used or len(chosen) >= limit:
            return
        chosen[service.code] = HomeItem(
            key=service.code,
            title=service.display_name,
            url=reverse("catalog:service_guide", kwargs={"code": service.code}),
            reason=reason,
        )

    # 1. the life events of the services they used, most recent first
    for code in used:
        done = by_code.get(code)
        if done is None:
            continue
        for event in done.life_events:
            for service in services:
                if event in service.life_events:
                    offer(
                        service,
                        _("因为您办理过“%(service)s”（%(event)s）")
                        % {"service": done.display_name, "event": events.get(event, event)},
                    )
    # 2. their age
    age = _age(getattr(person, "birth_date", None), timezone.localdate())
    if age is not None:
        for low, high, wanted in AGE_EVENTS:
            if not low <= age <= high:
                continue
            reason = (
                _("因为您已年满 %(age)d 周岁") % {"age": low}
                if low >= 60
                else _("因为您 %(age)d 岁，正值就业年龄") % {"age": age}
            )
            for service in services:
                if set(wanted) & set(service.life_events):
                    offer(service, reason)
    # 3. their district's own departments
    region = getattr(person, "region_code", "") or ""
    if region and region != CITY_REGION:
        for service in services:
            if service.region_code == region:
                offer(
                    service,
                    _("因为您所在辖区的%(department)s可以办理")
                    % {"department": service.department},
                )
    return list(chosen.values())


def recommendations_section(*, user: User, limit: int) -> HomeSection:
    from onewindow.portal.sections import RECOMMENDATIONS, titles

    return HomeSection(
        key=RECOMMENDATIONS,
        title=titles()[RECOMMENDATIONS],
        items=tuple(recommendations_for(user=user, limit=limit)),
        more_url=reverse("catalog:service_list"),
    )
