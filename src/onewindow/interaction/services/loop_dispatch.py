"""The hotline office's moves: the dispatch catalogue's suggestion, dispatch (派单) to a lead
department and co-handlers, the urgent order dispatched on registration, the decision on a
department's objection (派单异议), and merging a duplicate (并单)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import FieldError, ValidationFailed
from onewindow.identity.selectors import department_get
from onewindow.interaction import audit_events
from onewindow.interaction.models import Assignment, Category, DispatchRule, Move, Request
from onewindow.interaction.services._common import WrongState, lock_request, move_add
from onewindow.interaction.services._loop import (
    assignments_close,
    assignments_open,
    departments_checked,
    dispatcher_required,
    due_from,
    no_push_down,
    tell,
)

if TYPE_CHECKING:
    from onewindow.identity.models import User


@dataclass(frozen=True)
class DispatchSuggestion:
    """Whom the catalogue says answers a category in an area."""

    department_id: int
    co_department_ids: tuple[int, ...] = ()
    functional: bool = True  # a functional department's duty: not for a street office
    rule_id: int | None = None  # None: the category's default department
    basis: str = ""


def _specificity(rule: DispatchRule) -> int:
    return 2 if rule.street_code else 1 if rule.region_code else 0


def dispatch_suggest(
    *, category_id: int | None, region_code: str = "", street_code: str = ""
) -> DispatchSuggestion | None:
    """The most specific active rule of the catalogue for the category (a street's over its
    district's over the whole city's), else the category's default department (or the
    nearest parent category's); None when nothing says."""
    if category_id is None:
        return None
    area = Q(region_code="", street_code="")
    if region_code:
        area |= Q(region_code=region_code, street_code="")
    if street_code:
        area |= Q(street_code=street_code, region_code__in=["", region_code])
    rules = list(
        DispatchRule.objects.filter(area, category_id=category_id, active=True).order_by("-pk")
    )
    if rules:
        rule = max(rules, key=_specificity)  # the newest of the most specific
        return DispatchSuggestion(
            department_id=rule.department_id,
            co_department_ids=tuple(int(i) for i in rule.co_department_ids or ()),
            functional=rule.functional,
            rule_id=rule.pk,
            basis=rule.basis,
        )
    category = Category.objects.filter(pk=category_id).only("department_code", "parent").first()
    while category is not None:
        if category.department_code:
            department = department_get(code=category.department_code)
            if department is not None:
                return DispatchSuggestion(department_id=department.pk)
        category = category.parent
    return None


def _suggestion_for(request: Request) -> DispatchSuggestion | None:
    return dispatch_suggest(
        category_id=request.category_id,
        region_code=request.region_code,
        street_code=request.street_code,
    )


def _dispatch(
    request: Request,
    *,
    user: User | None,
    department_id: int,
    co_department_ids: Sequence[int],
    note: str,
    action: str = Move.Action.DISPATCH,
    data: dict[str, object] | None = None,
) -> list[Assignment]:
    lead, co = departments_checked(department_id, co_department_ids)
    suggestion = _suggestion_for(request)
    no_push_down(lead, functional=suggestion.functional if suggestion else False)
    now = timezone.now()
    if request.answer_due is None:
        request.answer_due = due_from(request, timezone.localdate(request.registered_at))
    parts = assignments_open(request, lead=lead, co=co, now=now)
    request.status = Request.Status.DISPATCHED
    request.department = lead
    request.save(update_fields=["status", "department", "answer_due", "updated_at"])
    move_add(
        request,
        action=action,
        actor=user,
        department_id=lead.pk,
        note=note.strip()[:2000],
        data={
            **(data or {}),
            "lead": lead.pk,
            "co": [d.pk for d in co],
            "answer_due": request.answer_due.isoformat(),
        },
        at=now,
    )
    tell(
        request,
        template="request_dispatched",
        params={"department": lead.name},
        move=f"dispatch:{parts[0].pk}",
    )
    return parts


@transaction.atomic(durable=True)
def request_dispatch(
    *,
    user: User,
    request_id: int,
    department_id: int,
    co_department_ids: Sequence[int] = (),
    note: str = "",
) -> Request:
    """Dispatch a registered order to its lead department (主办) and co-handlers (协办), each
    to sign for it within the sign limit. A second dispatcher of the same order waits for
    the first one's lock and is then refused (WrongState)."""
    request = lock_request(request_id)
    dispatcher_required(user)
    if request.status != Request.Status.REGISTERED:
        raise WrongState(_("该工单已派单或已结束，不能再派单。"))
    parts = _dispatch(
        request,
        user=user,
        department_id=department_id,
        co_department_ids=co_department_ids,
        note=note,
    )
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.REQUEST_DISPATCH,
        target=request,
        changes={"assignments": [p.pk for p in parts], "lead": department_id},
    )
    return request


@transaction.atomic(durable=True)
def request_dispatch_auto(*, request_id: int) -> Request | None:
    """Dispatch an urgent order at once to the department the catalogue names (a rule, not
    only a category's default), the sign limit being the urgent one (2 hours by default).
    The intake calls it after the filing's transaction has committed. None: not urgent, no
    rule, or dispatched already."""
    request = lock_request(request_id)
    if request.urgency != "urgent" or request.status != Request.Status.REGISTERED:
        return None
    suggestion = _suggestion_for(request)
    if suggestion is None or suggestion.rule_id is None:
        return None
    parts = _dispatch(
        request,
        user=None,
        department_id=suggestion.department_id,
        co_department_ids=suggestion.co_department_ids,
        note="",
        data={"auto": True, "rule": suggestion.rule_id},
    )
    audit_record(
        actor=Actor.system("interaction.dispatch_auto"),
        action=audit_events.REQUEST_DISPATCH,
        target=request,
        changes={
            "assignments": [p.pk for p in parts],
            "lead": suggestion.department_id,
            "rule": suggestion.rule_id,
        },
    )
    return request


@transaction.atomic(durable=True)
def request_objection_decide(
    *,
    user: User,
    request_id: int,
    accept: bool,
    department_id: int | None = None,
    co_department_ids: Sequence[int] = (),
    note: str = "",
) -> Request:
    """The hotline office decides a department's objection to a dispatch: accepted, it names
    the lead and co-handlers anew (the objecting part is withdrawn); refused, the objecting
    department must sign for its part after all (a new sign limit from now)."""
    request = lock_request(request_id)
    dispatcher_required(user)
    objected = list(request.assignments.filter(status=Assignment.Status.OBJECTED))
    if request.status not in (Request.Status.DISPATCHED, Request.Status.SIGNED) or not objected:
        raise WrongState(_("该工单没有待审核的派单异议。"))
    if not accept:
        if not note.strip():
            message = _("请填写不同意异议的理由。")
            raise ValidationFailed(
                message, errors=[FieldError(code="required", message=message, field="note")]
            )
        now = timezone.now()
        for part in objected:
            part.status = Assignment.Status.PENDING
            part.sign_due_at = now + (part.sign_due_at - part.created_at)
            part.save(update_fields=["status", "sign_due_at"])
        move_add(
            request,
            action=Move.Action.OBJECTION_DECIDE,
            actor=user,
            note=note.strip()[:2000],
            data={"accept": False, "assignments": [p.pk for p in objected]},
            public=False,
            at=now,
        )
        changes: dict[str, object] = {"accept": False, "assignments": [p.pk for p in objected]}
    else:
        if department_id is None:
            message = _("请选择主办部门。")
            raise ValidationFailed(
                message,
                errors=[FieldError(code="required", message=message, field="department_id")],
            )
        lead_objected = any(p.role == Assignment.Role.LEAD for p in objected)
        withdrawn = assignments_close(
            request, status=Assignment.Status.WITHDRAWN, reason=note.strip()[:2000]
        )
        request.assignments.filter(pk__in=[p.pk for p in objected]).update(
            status=Assignment.Status.WITHDRAWN
        )
        parts = _dispatch(
            request,
            user=user,
            department_id=department_id,
            co_department_ids=co_department_ids,
            note=note,
            action=Move.Action.OBJECTION_DECIDE,
            data={"accept": True, "objected": [p.pk for p in objected]},
        )
        changes = {
            "accept": True,
            "lead_objected": lead_objected,
            "withdrawn": sorted(set(withdrawn) | {p.pk for p in objected}),
            "assignments": [p.pk for p in parts],
        }
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.REQUEST_OBJECTION_DECIDE,
        target=request,
        changes=changes,
    )
    return request


MERGEABLE = (Request.Status.REGISTERED, Request.Status.DISPATCHED, Request.Status.SIGNED)


@transaction.atomic(durable=True)
def request_merge(*, user: User, request_id: int, into_id: int, note: str = "") -> Request:
    """Merge a duplicate (``request_id``) into the order answering the same problem
    (``into_id``, 并单): the duplicate is MERGED, its parts withdrawn, and its requester is
    told now and of the order's progress from then on."""
    if request_id == into_id:
        raise WrongState(_("不能将工单合并到其自身。"))
    first, second = sorted((request_id, into_id))  # one lock order: no deadlock
    locked = {first: lock_request(first), second: lock_request(second)}
    duplicate, target = locked[request_id], locked[into_id]
    dispatcher_required(user)
    if duplicate.status not in MERGEABLE:
        raise WrongState(_("该工单已答复或已结束，不能合并。"))
    if target.status in (Request.Status.MERGED, Request.Status.CLOSED):
        raise WrongState(_("目标工单已合并或已结束，请选择其他工单。"))
    if Request.objects.filter(merged_into_id=duplicate.pk).exists():
        # the duplicate's own duplicates follow it
        Request.objects.filter(merged_into_id=duplicate.pk).update(merged_into=target)
    withdrawn = assignments_close(duplicate, status=Assignment.Status.WITHDRAWN, reason=note)
    duplicate.status = Request.Status.MERGED
    duplicate.merged_into = target
    duplicate.save(update_fields=["status", "merged_into", "updated_at"])
    move_add(
        duplicate,
        action=Move.Action.MERGE,
        actor=user,
        note=note.strip()[:2000],
        data={"into": target.number},
    )
    move_add(
        target,
        action=Move.Action.MERGE,
        actor=user,
        note=note.strip()[:2000],
        data={"merged": duplicate.number},
        public=False,
    )
    # told to the duplicate's requester alone (the target's are told nothing new)
    tell(
        duplicate,
        template="request_merged",
        params={"target": target.number},
        move=f"merge:{target.number}",
    )
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.REQUEST_MERGE,
        target=duplicate,
        changes={"into": target.pk, "withdrawn": withdrawn},
    )
    return duplicate


__all__ = [
    "DispatchSuggestion",
    "dispatch_suggest",
    "request_dispatch",
    "request_dispatch_auto",
    "request_merge",
    "request_objection_decide",
]
