"""The citizen page's built-in sections: each reads one app's selectors and answers a
:class:`onewindow.core.home.HomeSection` of items in the person's words. Each costs a fixed
number of queries, whatever the number of cases, licences or messages (the page is read for
every resident; ``tests/test_home_queries.py`` holds the budget)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onewindow.core.home import HomeItem, HomeSection, sort_items

if TYPE_CHECKING:
    from onewindow.identity.models import User

# Section keys, in the order the page shows them when none is more urgent than another.
CASES = "cases"
TASKS_FOR_ME = "tasks_for_me"
PAYMENTS_DUE = "payments_due"
LICENCES = "licences"
BILLS = "bills"
MESSAGES = "messages"
REPLIES = "replies"
APPOINTMENTS = "appointments"
SHIPMENTS = "shipments"
RECOMMENDATIONS = "recommendations"
KEYS = (
    CASES,
    TASKS_FOR_ME,
    PAYMENTS_DUE,
    LICENCES,
    BILLS,
    MESSAGES,
    REPLIES,
    APPOINTMENTS,
    SHIPMENTS,
    RECOMMENDATIONS,
)
# Sections other apps fill through onewindow.core.home (bills, the hotline's replies).
REGISTERED = (BILLS, REPLIES)
DEADLINE_SOON = 3  # working days: a case due within this many is urgent


def titles() -> dict[str, str]:
    return {
        CASES: _("我的办件"),
        TASKS_FOR_ME: _("待我处理"),
        PAYMENTS_DUE: _("待缴费"),
        LICENCES: _("我的证照"),
        BILLS: _("生活账单"),
        MESSAGES: _("消息"),
        REPLIES: _("咨询投诉答复"),
        APPOINTMENTS: _("我的预约"),
        SHIPMENTS: _("我的快递"),
        RECOMMENDATIONS: _("为您推荐"),
    }


def _deadline_text(days: int | None) -> str:
    if days is None:
        return ""
    if days < 0:
        return ngettext("已超期 %(n)d 个工作日", "已超期 %(n)d 个工作日", -days) % {"n": -days}
    if days == 0:
        return _("今天到期")
    return ngettext("剩 %(n)d 个工作日", "剩 %(n)d 个工作日", days) % {"n": days}


def cases_section(*, user: User | None, company_id: int | None = None, limit: int) -> HomeSection:
    from onewindow.cases.selectors import cases_in_progress

    rows, total = cases_in_progress(user=user, company_id=company_id, limit=limit)
    items = []
    for row in rows:
        holder = "、".join(row.holders)
        soon = row.working_days_left is not None and row.working_days_left <= DEADLINE_SOON
        details = [row.number] if row.number else []
        if row.deadline is not None:
            details.append(
                _("办结时限 %(date)s（%(left)s）")
                % {"date": row.deadline.isoformat(), "left": _deadline_text(row.working_days_left)}
            )
        items.append(
            HomeItem(
                key=row.number or f"draft-{row.id}",
                title=row.service_name,
                url=row.url,
                status=row.status_label,
                detail=" · ".join(details),
                at=row.updated_at,
                due_on=row.deadline,
                urgent=row.applicant_must_act or soon,
                next_step=row.next_step,
                holder=holder,
                working_days_left=row.working_days_left,
            )
        )
    return HomeSection(
        key=CASES,
        title=titles()[CASES],
        items=sort_items(items),
        total=total,
        more_url=reverse("cases:my_cases"),
    )


def tasks_section(*, user: User, company_id: int | None = None, limit: int) -> HomeSection:
    """Supplements asked of the resident, consents other applicants ask of them, steps of
    the companies they act for and authorisations waiting for their answer: all needing
    the person's action, so all urgent."""
    from onewindow.cases.selectors import (
        company_tasks_home,
        consent_requests_home,
        supplement_requests_for,
    )

    items: list[HomeItem] = []
    if company_id is None:
        for request in supplement_requests_for(user=user, limit=limit):
            items.append(
                HomeItem(
                    key=request.case_number,
                    title=_("%(service)s需要补正") % {"service": request.service_name},
                    url=request.url,
                    status=_("待补正"),
                    detail=request.reason,
                    at=request.asked_at,
                    urgent=True,
                    next_step=_("请补正材料"),
                    holder=request.department,
                )
            )
        for ask in consent_requests_home(user=user, limit=limit):
            items.append(
                HomeItem(
                    key=f"consent-{ask.url}",
                    title=ask.title,
                    url=ask.url,
                    status=_("待授权"),
                    detail=ask.detail,
                    at=ask.asked_at,
                    due_on=timezone.localdate(ask.due_at) if ask.due_at else None,
                    urgent=True,
                )
            )
        items.extend(_agent_grants(user))
    for ask in company_tasks_home(user=user, company_id=company_id, limit=limit):
        items.append(
            HomeItem(
                key=f"company-task-{ask.url}",
                title=ask.title,
                url=ask.url,
                status=_("企业待办"),
                holder=ask.detail,
                at=ask.asked_at,
                urgent=True,
            )
        )
    ordered = sort_items(items)
    return HomeSection(
        key=TASKS_FOR_ME, title=titles()[TASKS_FOR_ME], items=ordered[:limit], total=len(ordered)
    )


def _agent_grants(user: User) -> list[HomeItem]:
    from onewindow.identity.selectors import agent_grants_pending_for, person_for_user

    person = person_for_user(user)
    if person is None:
        return []
    return [
        HomeItem(
            key=f"grant-{grant.id}",
            title=_("%(company)s授权您为经办人，请确认") % {"company": grant.company.name},
            url=reverse("identity:my_companies"),
            status=grant.status_label,
            at=grant.granted_at,
            due_on=grant.valid_until,
            urgent=True,
        )
        for grant in agent_grants_pending_for(person=person)
    ]


def payments_section(
    *, user: User | None, company_id: int | None = None, limit: int
) -> HomeSection:
    from onewindow.payments.selectors import payments_due_for

    rows, total = payments_due_for(user=user, company_id=company_id, limit=limit)
    items = [
        HomeItem(
            key=row.out_trade_no,
            title=row.subject,
            url=row.url,
            status=row.status_label,
            detail=_("办件编号 %(number)s") % {"number": row.case_number},
            at=row.created_at,
            urgent=True,
            next_step=_("去缴费"),
            amount=Decimal(row.amount_yuan),
        )
        for row in rows
    ]
    return HomeSection(
        key=PAYMENTS_DUE, title=titles()[PAYMENTS_DUE], items=tuple(items), total=total
    )


def licences_section(
    *, user: User | None, company_id: int | None = None, limit: int
) -> HomeSection:
    from onewindow.licences.selectors import licences_for_home

    rows, total = licences_for_home(user=user, company_id=company_id, limit=limit)
    items = []
    for row in rows:
        detail = _("证照编号尾号 %(tail)s") % {"tail": row.number_tail}
        if row.valid_until is not None:
            until = timezone.localdate(row.valid_until).isoformat()
            detail += " · " + _("有效期至 %(date)s") % {"date": until}
        items.append(
            HomeItem(
                key=row.number_tail,
                title=row.name,
                url=row.url,
                status=_("即将到期") if row.expiring_soon else _("有效"),
                detail=detail,
                at=row.issued_at,
                due_on=timezone.localdate(row.valid_until) if row.valid_until else None,
                urgent=row.expiring_soon,
            )
        )
    return HomeSection(
        key=LICENCES,
        title=titles()[LICENCES],
        items=tuple(items),
        total=total,
        more_url=reverse("licences:wallet"),
    )


def messages_section(*, user: User, limit: int) -> HomeSection:
    """The unread messages, newest first (the message centre has them all)."""
    from onewindow.notify.selectors import inbox_messages, inbox_unread_count

    rows = inbox_messages(user_id=user.pk, unread_only=True, limit=limit)
    total = len(rows) if len(rows) < limit else inbox_unread_count(user_id=user.pk)
    items = [
        HomeItem(
            key=str(row.id),
            title=row.title,
            url=reverse("portal:message_open", kwargs={"pk": row.id}),
            detail=row.body,
            at=row.created_at,
            unread=True,
            reason=row.reason,
        )
        for row in rows
    ]
    return HomeSection(
        key=MESSAGES,
        title=titles()[MESSAGES],
        items=tuple(items),
        total=total,
        more_url=reverse("portal:messages"),
    )


def appointments_section(*, user: User, limit: int) -> HomeSection:
    from onewindow.appointments.selectors import bookings_upcoming_for

    rows, total = bookings_upcoming_for(user=user, limit=limit)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    items = [
        HomeItem(
            key=f"{row.case_number}-{row.starts_at.isoformat()}",
            title=row.place,
            url=row.url,
            status=_("已预约"),
            detail=" · ".join(
                part
                for part in (
                    timezone.localtime(row.starts_at).strftime("%Y-%m-%d %H:%M")
                    + "–"
                    + timezone.localtime(row.ends_at).strftime("%H:%M"),
                    row.address,
                )
                if part
            ),
            at=row.starts_at,
            due_on=timezone.localdate(row.starts_at),
            urgent=timezone.localdate(row.starts_at) <= tomorrow,
        )
        for row in rows
    ]
    return HomeSection(
        key=APPOINTMENTS, title=titles()[APPOINTMENTS], items=tuple(items), total=total
    )


def shipments_section(*, user: User, limit: int) -> HomeSection:
    from onewindow.delivery.selectors import shipments_for_user

    items = []
    for shipment in shipments_for_user(user=user, limit=limit):
        events = list(shipment.events.all())
        last = events[-1] if events else None
        items.append(
            HomeItem(
                key=shipment.tracking_no,
                title=_("快递单号 %(no)s") % {"no": shipment.tracking_no},
                status=str(shipment.get_status_display()),
                detail=str(getattr(last, "description", "") or ""),
                at=getattr(last, "at", None) or shipment.created_at,
                url=(
                    reverse("cases:case_detail", kwargs={"number": shipment.case_number})
                    if shipment.case_number
                    else ""
                ),
                urgent=shipment.status in ("failed", "returned"),
            )
        )
    return HomeSection(key=SHIPMENTS, title=titles()[SHIPMENTS], items=tuple(items))
