"""The work queues of the closed loop: the hotline office's orders to dispatch and each
department's inbox, as light rows (no model instances, no requester's contact) with the
countdown in working days and the overdue flags; and one order as a department sees it
(the requester's name and phone hidden when the order is confidential, 保密)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from onewindow.core.calendar import working_days_between
from onewindow.interaction.models import URGENT_FIRST, Assignment, Request

ACTIVE_PARTS = (Assignment.Status.PENDING, Assignment.Status.SIGNED)


@dataclass(frozen=True)
class QueueRow:
    """An order waiting for the hotline office to dispatch it."""

    id: int
    number: str
    kind: str
    urgency: str
    title: str
    category_id: int | None
    region_code: str
    street_code: str
    registered_at: datetime.datetime
    return_count: int
    dispatch_due_at: datetime.datetime | None
    dispatch_overdue: bool


def dispatcher_queue(
    *,
    limit: int = 50,
    offset: int = 0,
    urgency: str | None = None,
    region_code: str | None = None,
    now: datetime.datetime | None = None,
) -> list[QueueRow]:
    """Registered orders, urgent ones first, then the oldest (ties by id), a page at a time
    (the ``interaction_queue_urgent`` index holds them in this order)."""
    now = now or timezone.now()
    rows = Request.objects.filter(status=Request.Status.REGISTERED)
    if urgency:
        rows = rows.filter(urgency=urgency)
    if region_code:
        rows = rows.filter(region_code=region_code)
    fields = (
        "id",
        "number",
        "kind",
        "urgency",
        "title",
        "category_id",
        "region_code",
        "street_code",
        "registered_at",
        "return_count",
        "dispatch_due_at",
    )
    ordered = rows.order_by(URGENT_FIRST, "registered_at", "pk")
    page = ordered.values_list(*fields)[offset : offset + limit]
    out = []
    for values in page:
        row = dict(zip(fields, values, strict=True))
        due = row["dispatch_due_at"]
        out.append(QueueRow(**row, dispatch_overdue=due is not None and due < now))
    return out


@dataclass(frozen=True)
class InboxRow:
    """A department's part in an order, with its countdown: ``days_left`` working days to
    the answer deadline (0: due today, negative: overdue by that many)."""

    assignment_id: int
    request_id: int
    number: str
    role: str
    status: str  # the part's (待签收 / 办理中 / ...)
    request_status: str
    kind: str
    urgency: str
    title: str
    region_code: str
    address: str
    registered_at: datetime.datetime
    sign_due_at: datetime.datetime
    answer_due: datetime.date
    days_left: int
    overdue: bool
    sign_overdue: bool
    supervised: bool
    reopen_count: int
    confidential: bool


_INBOX_FIELDS = {
    "assignment_id": "pk",
    "request_id": "request_id",
    "number": "request__number",
    "role": "role",
    "status": "status",
    "request_status": "request__status",
    "kind": "request__kind",
    "urgency": "request__urgency",
    "title": "request__title",
    "region_code": "request__region_code",
    "address": "request__address",
    "registered_at": "request__registered_at",
    "sign_due_at": "sign_due_at",
    "answer_due": "answer_due",
    "supervised": "request__supervised",
    "reopen_count": "request__reopen_count",
    "confidential": "request__confidential",
}


def department_inbox(
    *,
    department_ids: Iterable[int],
    status: str | None = None,
    overdue_only: bool = False,
    limit: int = 50,
    offset: int = 0,
    now: datetime.datetime | None = None,
) -> list[InboxRow]:
    """The departments' parts in orders (to sign for and in hand, or those of one part
    status), soonest deadline first, ties by id (the ``interaction_assign_active`` index,
    or ``interaction_assign_due_id`` for one part status). Never the requester's name or
    phone."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = Assignment.objects.filter(department_id__in=set(department_ids))
    rows = rows.filter(status=status) if status else rows.filter(status__in=ACTIVE_PARTS)
    if overdue_only:
        rows = rows.filter(answer_due__lt=today)
    names = list(_INBOX_FIELDS)
    page = rows.order_by("answer_due", "pk").values_list(*_INBOX_FIELDS.values())[
        offset : offset + limit
    ]
    out = []
    for values in page:
        row = dict(zip(names, values, strict=True))
        days_left = working_days_between(today, row["answer_due"], estimate=True)
        active = row["status"] in ACTIVE_PARTS
        out.append(
            InboxRow(
                **row,
                days_left=days_left,
                overdue=active and row["answer_due"] < today,
                sign_overdue=row["status"] == Assignment.Status.PENDING
                and row["sign_due_at"] < now,
            )
        )
    return out


@dataclass(frozen=True)
class DepartmentRequest:
    """One order as a department handling it sees it."""

    id: int
    number: str
    status: str
    kind: str
    urgency: str
    title: str
    content: str
    region_code: str
    address: str
    registered_at: datetime.datetime
    answer_due: datetime.date | None
    confidential: bool
    contact_name: str  # "" when confidential
    contact_phone: str  # "" when confidential


def department_request_get(
    *, request_id: int, department_ids: Iterable[int]
) -> DepartmentRequest | None:
    """The order if one of the departments has (or had) a part in it, else None; the
    requester's name and phone only when it is not confidential."""
    ids = set(department_ids)
    if not Assignment.objects.filter(request_id=request_id, department_id__in=ids).exists():
        return None
    base = (
        "id",
        "number",
        "status",
        "kind",
        "urgency",
        "title",
        "content",
        "region_code",
        "address",
        "registered_at",
        "answer_due",
        "confidential",
    )
    request = Request.objects.filter(pk=request_id).only(*base).first()
    if request is None:
        return None
    name = phone = ""
    if not request.confidential:
        contact = Request.objects.only("contact_name", "contact_phone").get(pk=request_id)
        name, phone = str(contact.contact_name or ""), str(contact.contact_phone or "")
    return DepartmentRequest(
        **{field: getattr(request, field) for field in base},
        contact_name=name,
        contact_phone=phone,
    )
