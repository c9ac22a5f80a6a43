"""API: the resident's home page as JSON (``GET /api/v1/me/home``): the same sections as
the page, each with its items and what is behind it (when its data was last updated, the
sources that could not be reached)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from onewindow.api.auth import session_or_bearer
from onewindow.api.errors import ErrorOut
from onewindow.core.errors import PermissionDenied
from onewindow.core.home import HomeSection
from onewindow.portal.sections import KEYS
from onewindow.portal.selectors import resident_home_page

router = Router(tags=["portal"])


class ItemOut(Schema):
    key: str
    title: str
    url: str
    status: str
    detail: str
    at: datetime.datetime | None
    due_on: datetime.date | None
    urgent: bool
    next_step: str
    holder: str  # who holds it now (a department, a company)
    working_days_left: int | None
    amount: Decimal | None  # yuan
    unread: bool
    reason: str  # why it is shown ("因为……")


class OutageOut(Schema):
    source: str
    kind: str
    last_updated_at: datetime.datetime | None
    minutes_ago: int | None
    text: str  # "…暂时无法获取，x 分钟前更新"


class SectionOut(Schema):
    title: str
    items: list[ItemOut]
    count: int  # how many in all (the items are the first few)
    urgent: int  # how many of the items need attention soon
    available: bool  # False: nothing provides this section yet
    updated_at: datetime.datetime  # when its data was last brought up to date
    live: bool  # True: read now; False: as of ``updated_at`` (synced data)
    unavailable: list[OutageOut]
    more_url: str


class HomeOut(Schema):
    greeting_name: str
    order: list[str]  # the sections, most urgent first
    cases: SectionOut
    tasks_for_me: SectionOut
    payments_due: SectionOut
    licences: SectionOut
    bills: SectionOut
    messages: SectionOut
    replies: SectionOut
    appointments: SectionOut
    shipments: SectionOut
    recommendations: SectionOut
    others: dict[str, SectionOut]  # sections other apps add (the library's loans …)


def _section(section: HomeSection, now: datetime.datetime) -> dict[str, Any]:
    from onewindow.portal.templatetags.portal_tags import outage_text

    return {
        "title": section.title,
        "items": [vars(item) for item in section.items],
        "count": section.count,
        "urgent": section.urgent,
        "available": section.available,
        "updated_at": section.updated_at or now,
        "live": section.updated_at is None,
        "unavailable": [
            {
                "source": o.source,
                "kind": o.kind,
                "last_updated_at": o.last_updated_at,
                "minutes_ago": o.minutes_ago(now),
                "text": outage_text(o),
            }
            for o in section.unavailable
        ],
        "more_url": section.more_url,
    }


@router.get(
    "/me/home",
    auth=session_or_bearer,
    response={200: HomeOut, 403: ErrorOut},
    summary="My home page: cases, tasks, payments due, licences, bills, messages …",
)
def me_home(request: HttpRequest) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    if getattr(user, "kind", "") != "resident":
        raise PermissionDenied(_("只有居民账号有个人首页。"), code="residents_only")
    page = resident_home_page(user=user)
    now = timezone.now()
    own = {key: _section(page.sections[key], now) for key in KEYS}
    others = {key: _section(s, now) for key, s in page.sections.items() if key not in KEYS}
    return {
        "greeting_name": page.greeting_name,
        "order": list(page.order),
        **own,
        "others": others,
    }
