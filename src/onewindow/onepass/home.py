"""The citizen page's 我的图书馆 section, filled through the section contract (core.home):
the loans soonest due first (due within three days or overdue: urgent), and, when the
library did not answer, the loans the page last had with their age."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.home import HomeItem, HomeSection, Unavailable
from onewindow.onepass.selectors import library_home_section

if TYPE_CHECKING:
    from onewindow.identity.models import User

SECTION_KEY = "library"
DUE_SOON_DAYS = 3


def library_section(*, user: User, limit: int) -> HomeSection:
    section = library_home_section(user=user)
    today = timezone.localdate()
    items = tuple(
        HomeItem(
            title=f"《{loan.title}》",
            url=loan.url,
            key=f"loan:{loan.title}:{loan.due_on.isoformat()}",
            status=_("已逾期") if loan.due_on < today else _("借阅中"),
            detail=_("应还日期 %(due)s") % {"due": loan.due_on.isoformat()},
            due_on=loan.due_on,
            urgent=loan.due_on <= today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        for loan in sorted(section.items, key=lambda loan: loan.due_on)[:limit]
    )
    unavailable = (
        (Unavailable(source=_("图书馆"), kind=_("借阅"), last_updated_at=section.last_updated_at),)
        if section.unavailable
        else ()
    )
    return HomeSection(
        key=SECTION_KEY,
        title=_("我的图书馆"),
        items=items,
        updated_at=section.updated_at,
        unavailable=unavailable,
        total=len(section.items),
        more_url=section.url,
        available=section.bound or bool(section.items),
    )
