"""After the answer, and around the deadline: more time asked and decided (延期), the return
visit (回访), conclusion (办结), re-opening (重新办理) and supervision (督办)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from onewindow.audit.services import Actor, audit_record
from onewindow.core.calendar import add_working_days
from onewindow.core.errors import Conflict, FieldError, ValidationFailed
from onewindow.identity.selectors import person_for_user
from onewindow.interaction import audit_events
from onewindow.interaction.models import Assignment, Extension, Move, Request
from onewindow.interaction.services._common import WrongState, lock_request, move_add
from onewindow.interaction.services._loop import (
    OPEN,
    NotDispatcher,
    assignments_open,
    departments_by_ids,
    dispatcher_required,
    due_from,
    own_assignment,
    request_limits,
    supervisor_required,
    tell,
)
from onewindow.interaction.services.staff_notices import handlers_tell
from onewindow.ratings.services import subject_expect

if TYPE_CHECKING:
    from onewindow.identity.models import User


def _invalid(message: object, *, field: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(
        message,  # type: ignore[arg-type]
        errors=[FieldError(code=code, message=message, field=field)],  # type: ignore[arg-type]
    )


@transaction.atomic(durable=True)
def request_extension_ask(
    *,
    user: User,
    request_id: int,
    working_days: int,
    reason: str,
    department_id: int | None = None,
) -> Extension:
    """The lead department asks for more working days (延期) before its deadline has passed,
    within ``max_extension_days`` in all; one request for more time at a time."""
    request = lock_request(request_id)
    if request.status not in OPEN:
        raise WrongState()
    part = own_assignment(request, user, department_id=department_id, lead_only=True)
    today = timezone.localdate()
    if today > part.answer_due:
        raise Conflict(
            _("办理期限（%(due)s）已过，不能再申请延期。") % {"due": part.answer_due.isoformat()},
            code="extension_too_late",
        )
    if not reason.strip():
        raise _invalid(_("请填写延期理由。"), field="reason", code="required")
    if part.extensions.filter(status=Extension.Status.PENDING).exists():
        raise Conflict(_("已有一项延期申请待审核。"), code="extension_pending")
    allowed = request_limits(request).max_extension_days
    granted = sum(
        part.extensions.filter(status=Extension.Status.APPROVED).values_list(
            "working_days", flat=True
        )
    )
    if working_days < 1 or granted + working_days > allowed:
        raise _invalid(
            ngettext_lazy(
                "延期最多可申请%(count)d个工作日（已延期%(granted)d个工作日）。",
                "延期最多可申请%(count)d个工作日（已延期%(granted)d个工作日）。",
                allowed,
            )
            % {"count": allowed, "granted": granted},
            field="working_days",
        )
    now = timezone.now()
    extension = Extension.objects.create(
        assignment=part,
        working_days=working_days,
        reason=reason.strip()[:2000],
        asked_by=user,
        asked_at=now,
    )
    move_add(
        request,
        action=Move.Action.EXTEND_ASK,
        actor=user,
        department_id=part.department_id,
        note=extension.reason,
        data={"extension": extension.pk, "working_days": working_days},
        public=False,
        at=now,
    )
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.REQUEST_EXTEND_ASK,
        target=request,
        changes={"extension": extension.pk, "working_days": working_days},
    )
    return extension


@transaction.atomic(durable=True)
def request_extension_decide(
    *, user: User, request_id: int, approve: bool, note: str = ""
) -> Extension:
    """The hotline office approves or refuses the pending request for more time; approved,
    the deadline moves by that many working days and the resident is told the new date."""
    request = lock_request(request_id)
    dispatcher_required(user)
    extension = (
        Extension.objects.select_related("assignment")
        .filter(assignment__request=request, status=Extension.Status.PENDING)
        .first()
    )
    if extension is None or request.status not in OPEN:
        raise WrongState(_("该工单没有待审核的延期申请。"))
    if not approve and not note.strip():
        raise _invalid(_("请填写不同意延期的理由。"), field="note", code="required")
    now = timezone.now()
    extension.status = Extension.Status.APPROVED if approve else Extension.Status.REFUSED
    extension.decided_by, extension.decided_at = user, now
    extension.decision_note = note.strip()[:2000]
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    changes: dict[str, object] = {"extension": extension.pk, "approve": approve}
    if approve:
        assert request.answer_due is not None
        due = add_working_days(request.answer_due, extension.working_days, estimate=True)
        request.assignments.filter(status__in=(Assignment.Status.PENDING, "signed")).update(
            answer_due=due
        )
        changes["answer_due"] = [request.answer_due.isoformat(), due.isoformat()]
        request.answer_due = due
        request.save(update_fields=["answer_due", "updated_at"])
        tell(
            request,
            template="request_extended",
            params={"due": due.isoformat()},
            move=f"extend:{extension.pk}",
        )
    move_add(
        request,
        action=Move.Action.EXTEND_DECIDE,
        actor=user,
        department_id=extension.assignment.department_id,
        note=extension.decision_note,
        data={k: v for k, v in changes.items()},
        public=approve,
        at=now,
    )
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.REQUEST_EXTEND_DECIDE,
        target=request,
        changes=changes,
    )
    return extension


@transaction.atomic(durable=True)
def request_visit(
    *, user: User, request_id: int, solved: bool, satisfaction: str, note: str = ""
) -> Request:
    """The return visit (回访) of an answered order: solved or not, and how satisfied the
    resident is — asked by the hotline office, or given by the requester themselves."""
    request = lock_request(request_id)
    person = person_for_user(user)
    own = person is not None and request.person_id == person.pk
    if not own:
        dispatcher_required(user)
    if request.status != Request.Status.ANSWERED:
        raise WrongState(_("该工单尚未答复或已回访办结，不能回访。"))
    if satisfaction not in Request.Satisfaction.values:
        raise _invalid(_("请选择满意程度。"), field="satisfaction", code="required")
    request.solved, request.satisfaction = solved, satisfaction
    request.save(update_fields=["solved", "satisfaction", "updated_at"])
    move_add(
        request,
        action=Move.Action.VISIT,
        actor=user,
        note=note.strip()[:2000],
        data={"solved": solved, "satisfaction": satisfaction, "by_requester": own},
        public=False,
    )
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.REQUEST_VISIT,
        target=request,
        changes={"solved": solved, "satisfaction": satisfaction},
    )
    return request


@transaction.atomic(durable=True)
def request_conclude(*, user: User, request_id: int, note: str = "") -> Request:
    """Conclude (办结) an answered order after its return visit (an order nobody can be asked
    about, with neither an account nor a phone, without one). An order the resident said was
    not solved may be concluded too: the solved rate is counted apart from the closed one."""
    request = lock_request(request_id)
    dispatcher_required(user)
    if request.status != Request.Status.ANSWERED:
        raise WrongState(_("该工单尚未答复，不能办结。"))
    reachable = bool(request.person_id or request.contact_phone)
    if request.solved is None and reachable:
        raise Conflict(_("请先回访，再办结。"), code="visit_first")
    now = timezone.now()
    request.status = Request.Status.CONCLUDED
    request.concluded_at = now
    request.save(update_fields=["status", "concluded_at", "updated_at"])
    move_add(request, action=Move.Action.CONCLUDE, actor=user, note=note.strip()[:2000], at=now)
    _ratable(request, now=now)
    tell(
        request,
        template="request_concluded",
        params={},
        move=f"conclude:{request.reopen_count}",
    )
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.REQUEST_CONCLUDE,
        target=request,
        changes={"solved": request.solved, "satisfaction": request.satisfaction},
    )
    return request


def _ratable(request: Request, *, now: datetime.datetime) -> None:
    """The concluded request may be rated by its requester (好差评, ratings): the category
    is its service, the lead department and whoever gave the answer handled it. An
    anonymous request, or one of nobody on record, has no one to rate it."""
    if request.anonymous or request.person_id is None or request.merged_into_id is not None:
        return
    handler = (
        request.moves.filter(action=Move.Action.ANSWER)
        .order_by("-at", "-pk")
        .values_list("actor_id", flat=True)
        .first()
    )
    category = request.category
    subject_expect(
        kind="request",
        ref=request.pk,
        number=request.number,
        title=request.title,
        channel="hotline",
        service_code=category.code if category is not None else "",
        service_name=category.name if category is not None else "",
        department_id=request.department_id,
        handled_by_id=handler,
        rater_id=request.person.user_id if request.person is not None else None,
        person_id=request.person_id,
        link=reverse("interaction:mine_detail", args=[request.number]),
        concluded_at=now,
    )


@transaction.atomic(durable=True)
def request_reopen(*, user: User, request_id: int, reason: str) -> Request:
    """Re-open an answered or concluded order the resident says was not solved (重新办理):
    the same lead and co-handlers get it again with a new deadline from today, and the loop
    goes round once more (``reopen_count``)."""
    request = lock_request(request_id)
    dispatcher_required(user)
    if request.status not in (Request.Status.ANSWERED, Request.Status.CONCLUDED):
        raise WrongState(_("该工单尚未答复，不能重新办理。"))
    if not reason.strip():
        raise _invalid(_("请填写重新办理的理由。"), field="reason", code="required")
    previous = {"solved": request.solved, "satisfaction": request.satisfaction}
    last = list(request.assignments.filter(status=Assignment.Status.ANSWERED).order_by("pk"))
    lead_ids = [p.department_id for p in last if p.role == Assignment.Role.LEAD]
    lead_id = lead_ids[-1] if lead_ids else request.department_id
    if lead_id is None:
        raise WrongState()
    co_ids = [
        p.department_id for p in last if p.role == Assignment.Role.CO and p.department_id != lead_id
    ]
    found = {d.pk: d for d in departments_by_ids(ids=[lead_id, *co_ids])}
    now = timezone.now()
    request.answer_due = due_from(request, timezone.localdate(now))
    parts = assignments_open(
        request, lead=found[lead_id], co=[found[i] for i in dict.fromkeys(co_ids)], now=now
    )
    request.reopen_count += 1
    request.status = Request.Status.DISPATCHED
    request.department_id = lead_id
    request.solved, request.satisfaction = None, ""
    request.answered_at, request.visit_due, request.concluded_at = None, None, None
    request.chased_at, request.escalated_at = None, None
    request.save()
    move_add(
        request,
        action=Move.Action.REOPEN,
        actor=user,
        department_id=lead_id,
        note=reason.strip()[:2000],
        data={
            **previous,
            "answer_due": request.answer_due.isoformat(),
            "round": request.reopen_count,
        },
        at=now,
    )
    tell(
        request,
        template="request_reopened",
        params={"due": request.answer_due.isoformat()},
        move=f"reopen:{request.reopen_count}",
    )
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.REQUEST_REOPEN,
        target=request,
        changes={**previous, "round": request.reopen_count, "assignments": [p.pk for p in parts]},
    )
    return request


@transaction.atomic(durable=True)
def request_supervise(*, user: User, request_id: int, note: str) -> Request:
    """Put an open order under supervision (督办): it is flagged in the department's inbox
    and the hotline office's statistics, and the lead department's handlers are told."""
    request = lock_request(request_id)
    supervisor_required(user)
    if request.status not in OPEN:
        raise WrongState(_("只能督办办理中的工单。"))
    if not note.strip():
        raise _invalid(_("请填写督办意见。"), field="note", code="required")
    request.supervised = True
    request.save(update_fields=["supervised", "updated_at"])
    move = move_add(
        request,
        action=Move.Action.SUPERVISE,
        actor=user,
        department_id=request.department_id,
        note=note.strip()[:2000],
        public=False,
    )
    handlers_tell(
        request,
        template="request_supervised",
        params={"note": move.note.rstrip("。.")},
        move=f"supervise:{move.pk}",
    )
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.REQUEST_SUPERVISE,
        target=request,
        changes={"department": request.department_id},
    )
    return request


__all__ = [
    "NotDispatcher",
    "request_conclude",
    "request_extension_ask",
    "request_extension_decide",
    "request_reopen",
    "request_supervise",
    "request_visit",
]
