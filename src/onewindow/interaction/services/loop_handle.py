"""A department's moves on its order: sign for it (签收), return it to the hotline office
(退单), object to the dispatch (派单异议), transfer it (转办), answer it (答复; co-handlers
give their part first)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import Conflict, FieldError, ValidationFailed
from onewindow.interaction import audit_events
from onewindow.interaction.models import Assignment, Move, Request
from onewindow.interaction.services._common import WrongState, lock_request, move_add
from onewindow.interaction.services._loop import (
    ACTIVE,
    OPEN,
    assignments_close,
    assignments_open,
    departments_checked,
    dispatcher_required,
    handler_department_ids,
    no_push_down,
    own_assignment,
    request_limits,
    tell,
)
from onewindow.interaction.services.loop_dispatch import dispatch_suggest

if TYPE_CHECKING:
    from onewindow.identity.models import User


def _required(text: str, *, field: str, message: object) -> str:
    text = text.strip()
    if not text:
        raise ValidationFailed(
            message,  # type: ignore[arg-type]
            errors=[FieldError(code="required", message=message, field=field)],  # type: ignore[arg-type]
        )
    return text[:4000]


def _open(request: Request) -> None:
    if request.status not in OPEN:
        raise WrongState()


@transaction.atomic(durable=True)
def request_sign(*, user: User, request_id: int, department_id: int | None = None) -> Request:
    """Sign for the department's part (签收); the order is in hand (办理中) once the lead has
    signed. A part signed after its sign limit is signed late (kept on the timeline)."""
    request = lock_request(request_id)
    _open(request)
    part = own_assignment(
        request, user, department_id=department_id, statuses=(Assignment.Status.PENDING,)
    )
    now = timezone.now()
    late = now > part.sign_due_at
    part.status = Assignment.Status.SIGNED
    part.signed_at, part.signed_by = now, user
    part.save(update_fields=["status", "signed_at", "signed_by"])
    if part.role == Assignment.Role.LEAD:
        request.status = Request.Status.SIGNED
        request.save(update_fields=["status", "updated_at"])
    move_add(
        request,
        action=Move.Action.SIGN,
        actor=user,
        department_id=part.department_id,
        data={"assignment": part.pk, "role": part.role, "late": late},
        at=now,
    )
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.REQUEST_SIGN,
        target=request,
        changes={"assignment": part.pk, "late": late},
    )
    return request


@transaction.atomic(durable=True)
def request_return(
    *, user: User, request_id: int, reason: str, department_id: int | None = None
) -> Request:
    """The lead department returns the order to the hotline office (退单) with a reason, at
    most ``max_returns`` times; every part is ended and the office dispatches it again."""
    request = lock_request(request_id)
    _open(request)
    part = own_assignment(request, user, department_id=department_id, lead_only=True)
    reason = _required(reason, field="reason", message=_("请填写退单理由。"))
    limit = request_limits(request).max_returns
    if request.return_count >= limit:
        raise Conflict(
            ngettext_lazy(
                "该工单已退单%(count)d次，不能再退单；如认为不属于本部门职责，请提出派单异议。",
                "该工单已退单%(count)d次，不能再退单；如认为不属于本部门职责，请提出派单异议。",
                request.return_count,
            )
            % {"count": request.return_count},
            code="too_many_returns",
        )
    part.status = Assignment.Status.RETURNED
    part.reason = reason
    part.save(update_fields=["status", "reason"])
    withdrawn = assignments_close(request, status=Assignment.Status.WITHDRAWN, reason=reason)
    request.status = Request.Status.REGISTERED
    request.department = None
    request.return_count += 1
    request.save(update_fields=["status", "department", "return_count", "updated_at"])
    move_add(
        request,
        action=Move.Action.RETURN,
        actor=user,
        department_id=part.department_id,
        note=reason,
        data={"assignment": part.pk, "withdrawn": withdrawn, "returns": request.return_count},
        public=False,
    )
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.REQUEST_RETURN,
        target=request,
        changes={"assignment": part.pk, "returns": request.return_count},
    )
    return request


@transaction.atomic(durable=True)
def request_object(
    *, user: User, request_id: int, reason: str, department_id: int | None = None
) -> Request:
    """The department objects to its part in the dispatch (派单异议) instead of signing for
    it; the hotline office decides (``request_objection_decide``)."""
    request = lock_request(request_id)
    _open(request)
    part = own_assignment(
        request, user, department_id=department_id, statuses=(Assignment.Status.PENDING,)
    )
    reason = _required(reason, field="reason", message=_("请填写异议理由。"))
    part.status = Assignment.Status.OBJECTED
    part.reason = reason
    part.save(update_fields=["status", "reason"])
    move_add(
        request,
        action=Move.Action.OBJECT,
        actor=user,
        department_id=part.department_id,
        note=reason,
        data={"assignment": part.pk, "role": part.role},
        public=False,
    )
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.REQUEST_OBJECT,
        target=request,
        changes={"assignment": part.pk},
    )
    return request


@transaction.atomic(durable=True)
def request_transfer(
    *,
    user: User,
    request_id: int,
    to_department_id: int,
    reason: str,
    department_id: int | None = None,
) -> Request:
    """Transfer the order (转办) to another lead department, by the lead department's
    handler or the hotline office; the co-handlers keep their parts, the deadline stays."""
    request = lock_request(request_id)
    _open(request)
    if handler_department_ids(user):
        part = own_assignment(request, user, department_id=department_id, lead_only=True)
    else:
        dispatcher_required(user)
        found = request.assignments.filter(role=Assignment.Role.LEAD, status__in=ACTIVE).first()
        if found is None:
            raise WrongState()
        part = found
    reason = _required(reason, field="reason", message=_("请填写转办理由。"))
    target, _co = departments_checked(to_department_id, ())
    if target.pk == part.department_id:
        message = _("不能转办给本部门。")
        raise ValidationFailed(
            message,
            errors=[FieldError(code="same_department", message=message, field="department_id")],
        )
    suggestion = dispatch_suggest(
        category_id=request.category_id,
        region_code=request.region_code,
        street_code=request.street_code,
    )
    no_push_down(target, functional=suggestion.functional if suggestion else False)
    part.status = Assignment.Status.TRANSFERRED
    part.reason = reason
    part.save(update_fields=["status", "reason"])
    request.assignments.filter(department=target, status__in=ACTIVE).update(
        status=Assignment.Status.WITHDRAWN
    )
    (new,) = assignments_open(request, lead=target, co=(), now=timezone.now())
    request.status = Request.Status.DISPATCHED
    request.department = target
    request.save(update_fields=["status", "department", "updated_at"])
    move_add(
        request,
        action=Move.Action.TRANSFER,
        actor=user,
        department_id=target.pk,
        note=reason,
        data={"from": part.department_id, "to": target.pk, "assignment": new.pk},
    )
    tell(
        request,
        template="request_dispatched",
        params={"department": target.name},
        move=f"dispatch:{new.pk}",
    )
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.REQUEST_TRANSFER,
        target=request,
        changes={"from": part.department_id, "to": target.pk, "assignment": new.pk},
    )
    return request


@transaction.atomic(durable=True)
def request_answer(
    *, user: User, request_id: int, answer: str, department_id: int | None = None
) -> Request:
    """Answer the department's part (答复). A co-handler's answer goes to the lead; the
    lead answers the resident once every co-handler has given its part, and the return
    visit (回访) is due the day after."""
    request = lock_request(request_id)
    _open(request)
    part = own_assignment(request, user, department_id=department_id)
    answer = _required(answer, field="answer", message=_("请填写答复内容。"))
    if part.status != Assignment.Status.SIGNED:
        raise WrongState(_("请先签收工单，再答复。"))
    now = timezone.now()
    if part.role == Assignment.Role.LEAD:
        waiting = list(
            request.assignments.filter(role=Assignment.Role.CO, status__in=ACTIVE)
            .select_related("department")
            .order_by("pk")
        )
        if waiting:
            raise Conflict(
                _("协办部门尚未答复：%(names)s。请待协办部门答复后再答复。")
                % {"names": "、".join(p.department.name for p in waiting)},
                code="co_handlers_waiting",
            )
    part.status = Assignment.Status.ANSWERED
    part.answered_at, part.answer = now, answer
    part.save(update_fields=["status", "answered_at", "answer"])
    if part.role == Assignment.Role.CO:
        move_add(
            request,
            action=Move.Action.CO_HANDLE,
            actor=user,
            department_id=part.department_id,
            note=answer,
            data={"assignment": part.pk},
            public=False,
            at=now,
        )
    else:
        request.status = Request.Status.ANSWERED
        request.answered_at, request.answer = now, answer
        request.visit_due = timezone.localdate(now) + datetime.timedelta(days=1)
        request.save(update_fields=["status", "answered_at", "answer", "visit_due", "updated_at"])
        move_add(
            request,
            action=Move.Action.ANSWER,
            actor=user,
            department_id=part.department_id,
            note=answer,
            data={"assignment": part.pk, "late": timezone.localdate(now) > part.answer_due},
            at=now,
        )
        tell(
            request,
            template="request_answered",
            params={"department": part.department.name},
            move=f"answer:{request.reopen_count}",
        )
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.REQUEST_ANSWER,
        target=request,
        changes={"assignment": part.pk, "role": part.role},
    )
    return request
