"""The citizen page's 生活账单 section, filled through the section contract (core.home):
bills due first (overdue ones urgent), each account's latest paid one after, when the
data was last brought up to date, and the providers that could not be reached with the
age of what the page still has from them."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.bills.selectors import bill_home_section
from onewindow.core.home import HomeItem, HomeSection, Unavailable

if TYPE_CHECKING:
    from onewindow.identity.models import User

SECTION_KEY = "bills"
DUE_SOON_DAYS = 3


def bills_section(*, user: User, limit: int) -> HomeSection:
    section = bill_home_section(user=user, limit=limit)
    today = timezone.localdate()
    items = []
    for bill in section.items:
        if bill.paid:
            status = _("已缴清")
        elif bill.overdue:
            status = _("已逾期")
        else:
            status = _("待缴费")
        due_soon = bill.due_on is not None and bill.due_on <= today + datetime.timedelta(
            days=DUE_SOON_DAYS
        )
        items.append(
            HomeItem(
                title=f"{bill.kind_label} · {bill.provider_name}",
                url=bill.url,
                key=f"{bill.kind}:{bill.period}:{bill.provider_name}",
                status=status,
                detail=_("%(period)s 账单") % {"period": bill.period},
                due_on=None if bill.paid else bill.due_on,
                urgent=not bill.paid and (bill.overdue or due_soon),
                amount=bill.amount,
            )
        )
    return HomeSection(
        key=SECTION_KEY,
        title=_("生活账单"),
        items=tuple(items),
        updated_at=section.updated_at,
        unavailable=tuple(
            Unavailable(
                source=outage.provider_name,
                kind=outage.kind_label,
                last_updated_at=outage.last_updated_at,
            )
            for outage in section.unavailable
        ),
        more_url=reverse("bills:home"),
    )
