"""Helpers of the closed loop's use cases: who may act, the order's assignments and
deadlines, and what the resident is told (after commit)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import FieldError, PermissionDenied, ValidationFailed
from onewindow.identity.selectors import (
    departments_by_ids,
    person_row_get,
    staff_permission_department_ids,
    user_is_staff,
)
from onewindow.interaction.models import Assignment, Request
from onewindow.interaction.services._common import (
    Limits,
    WrongState,
    answer_due_for,
    limits_for,
)

if TYPE_CHECKING:
    from onewindow.identity.models import Department, User

log = logging.getLogger(__name__)

DISPATCH = "interaction.dispatch_requests"
HANDLE = "interaction.handle_requests"
SUPERVISE = "interaction.supervise_requests"

# the statuses of an order still in a department's hands, and of a part still to be done
OPEN = (Request.Status.DISPATCHED, Request.Status.SIGNED)
ACTIVE = (Assignment.Status.PENDING, Assignment.Status.SIGNED)

KIND = "interaction"  # notify's message kind
LINK = "/hotline/mine/{number}/"  # the resident's page of their request (interaction:mine_detail)

# How street offices (街道办事处), townships and communities are named: the grassroots a
# functional department's duty may not be pushed down to.
GRASSROOTS_SUFFIXES = (
    "街道办事处",
    "街道",
    "镇人民政府",
    "乡人民政府",
    "居民委员会",
    "村民委员会",
    "居委会",
    "村委会",
    "社区",
)


class NotDispatcher(PermissionDenied):
    code = "not_dispatcher"

    def __init__(self) -> None:
        super().__init__(_("您没有热线派单权限。"))


class NotYourOrder(PermissionDenied):
    code = "not_your_order"

    def __init__(self) -> None:
        super().__init__(_("该工单未派给您所在的部门，不能办理。"))


def dispatcher_required(user: User) -> None:
    if not user_is_staff(user=user) or not staff_permission_department_ids(
        user_id=user.pk, permission=DISPATCH
    ):
        raise NotDispatcher()


def supervisor_required(user: User) -> None:
    if not user_is_staff(user=user) or not staff_permission_department_ids(
        user_id=user.pk, permission=SUPERVISE
    ):
        raise PermissionDenied(_("您没有督办工单的权限。"), code="not_supervisor")


def handler_department_ids(user: User) -> set[int]:
    """The departments the account handles orders for (a role granting handle_requests
    there; not the departments below them)."""
    if not user_is_staff(user=user):
        return set()
    return staff_permission_department_ids(user_id=user.pk, permission=HANDLE)


def own_assignment(
    request: Request,
    user: User,
    *,
    department_id: int | None = None,
    statuses: Collection[str] = ACTIVE,
    lead_only: bool = False,
) -> Assignment:
    """The part of the order the account's department has (the lead's first), in one of
    ``statuses``: NotYourOrder if none of its departments has a part, WrongState if the
    part is not in such a state."""
    ids = handler_department_ids(user)
    if department_id is not None:
        ids &= {department_id}
    parts = [
        a
        for a in request.assignments.filter(department_id__in=ids).order_by("-pk")
        if not lead_only or a.role == Assignment.Role.LEAD
    ]
    if not parts:
        raise NotYourOrder()
    for part in sorted(parts, key=lambda a: a.role != Assignment.Role.LEAD):
        if part.status in statuses:
            return part
    raise WrongState()


def request_limits(request: Request) -> Limits:
    """The order's limits; a same-day consultation that had to be dispatched gets its
    fallback working days."""
    limits = limits_for(request.kind, request.urgency)
    if limits.answer_working_days == 0 and limits.fallback_working_days:
        limits = replace(limits, answer_working_days=limits.fallback_working_days)
    return limits


def due_from(request: Request, start: datetime.date) -> datetime.date:
    return answer_due_for(request_limits(request), start)


def is_grassroots(department: Department) -> bool:
    """A street office, township or community, or an office under one."""
    chain = [department, *department.ancestors()]
    return any(d.name.endswith(GRASSROOTS_SUFFIXES) for d in chain)


def departments_checked(
    department_id: int, co_department_ids: Iterable[int]
) -> tuple[Department, list[Department]]:
    """The lead and co-handling departments named, each existing, the lead not also a
    co-handler (ValidationFailed at the field)."""
    co_ids = list(dict.fromkeys(int(i) for i in co_department_ids if int(i) != department_id))
    found = {d.pk: d for d in departments_by_ids(ids=[department_id, *co_ids])}
    errors = []
    if department_id not in found:
        errors.append(
            FieldError(code="no_department", message=_("请选择主办部门。"), field="department_id")
        )
    if any(i not in found for i in co_ids):
        errors.append(
            FieldError(
                code="no_department",
                message=_("协办部门不存在。"),
                field="co_department_ids",
            )
        )
    if errors:
        raise ValidationFailed(_("派单信息有误，请修改后再提交。"), errors=errors)
    return found[department_id], [found[i] for i in co_ids]


def no_push_down(department: Department, *, functional: bool) -> None:
    """A functional department's duty stays with a functional department (not a street
    office or community)."""
    if functional and is_grassroots(department):
        message = _("该事项属于职能部门职责，不能派至街道（镇）或社区，请派给职能部门。")
        raise ValidationFailed(
            message, errors=[FieldError(code="push_down", message=message, field="department_id")]
        )


def assignments_open(
    request: Request,
    *,
    lead: Department,
    co: Iterable[Department],
    now: datetime.datetime,
) -> list[Assignment]:
    """The lead's and co-handlers' parts, waiting to be signed for within the sign limit."""
    limits = request_limits(request)
    sign_due = now + datetime.timedelta(hours=limits.sign_hours)
    assert request.answer_due is not None
    parts = [(lead, Assignment.Role.LEAD)] + [(d, Assignment.Role.CO) for d in co]
    return [
        Assignment.objects.create(
            request=request,
            department=department,
            role=role,
            sign_due_at=sign_due,
            answer_due=request.answer_due,
        )
        for department, role in parts
    ]


def assignments_close(request: Request, *, status: str, reason: str = "") -> list[int]:
    """End every part still in hand (withdrawn, returned, ...); their ids."""
    ids = list(request.assignments.filter(status__in=ACTIVE).values_list("pk", flat=True))
    if ids:
        Assignment.objects.filter(pk__in=ids).update(status=status, reason=reason)
    return ids


# --- telling the resident -----------------------------------------------------------------


def tell(request: Request, *, template: str, params: Mapping[str, object], move: str) -> None:
    """After commit, tell the requester of ``request`` and of every request merged into it
    (each with their own order number as ``number``); requests with neither an account nor
    a phone are told nothing."""
    request_id, number = request.pk, request.number

    def send() -> None:
        from onewindow.notify.services import Recipient, notify_tell

        told: set[tuple[int | None, str]] = set()
        rows = Request.objects.filter(pk=request_id) | Request.objects.filter(
            merged_into_id=request_id
        )
        for row in rows.only("pk", "number", "person_id", "contact_phone").order_by("pk"):
            recipient = recipient_of(row)
            if recipient is None or (recipient.user_id, recipient.phone) in told:
                continue
            told.add((recipient.user_id, recipient.phone))
            try:
                notify_tell(
                    recipient=Recipient(user_id=recipient.user_id, phone=recipient.phone),
                    template=template,
                    params={**params, "number": row.number},
                    kind=KIND,
                    source_key=f"interaction:{row.number}:{move}",
                    link=LINK.format(number=row.number),
                )
            except Exception:  # one resident's message must not stop the others'
                log.exception("telling the requester of %s (%s) failed", row.number, number)

    transaction.on_commit(send)


class _To:
    def __init__(self, user_id: int | None, phone: str) -> None:
        self.user_id, self.phone = user_id, phone


def recipient_of(row: Request) -> _To | None:
    user_id: int | None = None
    phone = str(row.contact_phone or "")
    if row.person_id:
        person = person_row_get(pk=row.person_id)
        if person is not None:
            user_id = person.user_id
            phone = phone or person.phone
    if user_id is None and not phone:
        return None
    return _To(user_id, phone)


def department_name(department_id: int | None) -> str:
    if department_id is None:
        return ""
    found = departments_by_ids(ids=[department_id])
    return found[0].name if found else ""


def now_local_date(now: datetime.datetime | None = None) -> datetime.date:
    return timezone.localdate(now or timezone.now())
