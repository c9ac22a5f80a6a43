"""Staff actions on case tasks: claim, unclaim, approve, reject, return for supplements,
transfer, comment, and the bulk versions. Each is one transaction under the per-case lock,
with an audit row and a timeline entry."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.services import Actor, audit_record
from onewindow.cases import audit_events
from onewindow.cases.findings import findings_clean, task_form
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.services._common import (
    CaseFinished,
    TaskFinished,
    TaskNotFound,
    actor_for,
    event,
    event_row,
    lock_case_of_task,
    save_case,
)
from onewindow.cases.services.process import (
    applicant_tasks,
    apply_run,
    enqueue_advance,
    models_supplements,
    process_context,
    restore,
)
from onewindow.core.errors import ApplicationError, Conflict, ValidationFailed
from onewindow.identity.selectors import (
    staff_holds_role,
    staff_holds_role_exists,
    user_get,
    user_is_staff,
)
from onewindow.workflow import RunFinished, TaskNotOpen
from onewindow.workflow import TaskNotFound as EngineTaskNotFound

if TYPE_CHECKING:
    from onewindow.identity.models import Department, User

DECISIONS = ("approve", "reject", "supplement")
COMMENT_MAX = 2000


class TaskClaimedByOther(Conflict):
    code = "claimed_by_other"

    def __init__(self) -> None:
        super().__init__(gettext_lazy("该任务已被其他工作人员认领。"))


class TaskWaitingForApplicant(Conflict):
    code = "waiting_for_applicant"

    def __init__(self) -> None:
        super().__init__(gettext_lazy("该任务正在等待申请人补正。"))


def _department_chain_ids(department: Department) -> list[int]:
    return [department.pk] + [d.pk for d in department.ancestors()]


def staff_may_act(user: User, task: CaseTask) -> bool:
    """Only staff holding the task's role in the task's department (or a parent department)."""
    if not user_is_staff(user=user):
        return False
    return staff_holds_role(
        user_id=user.pk,
        role_code=task.role_code,
        department_ids=_department_chain_ids(task.department),
    )


def _task_locked(user: User, task_id: int) -> tuple[Case, CaseTask]:
    case = lock_case_of_task(task_id)
    if case is None:
        raise TaskNotFound()
    # The task row is read after the case lock, so its status is current. It comes with
    # whether the user holds the task's role in its department or the two above it (the
    # usual tree); a deeper tree falls back to staff_may_act's walk up the whole chain.
    tasks = CaseTask.objects.select_related("department__parent")
    staff = user_is_staff(user=user)
    if staff:
        tasks = tasks.annotate(
            holds_role=staff_holds_role_exists(
                user_id=user.pk,
                role_code=OuterRef("role_code"),
                department_ids=[
                    OuterRef("department_id"),
                    OuterRef("department__parent_id"),
                    OuterRef("department__parent__parent_id"),
                ],
            )
        )
    task = tasks.get(pk=task_id)
    if not (staff and (getattr(task, "holds_role", False) or staff_may_act(user, task))):
        # Another department's task answers as an unknown one: task ids are not to be
        # enumerated (the pages show only the tasks one may act on).
        raise TaskNotFound()
    if not case.is_open:
        raise CaseFinished()
    return case, task


def _clean_comment(comment: str, *, required: bool, message: str) -> str:
    text = (comment or "").strip()
    if required and not text:
        raise ValidationFailed(message, code="required", field="comment")
    if len(text) > COMMENT_MAX:
        raise ValidationFailed(
            _("意见不能超过 %(n)s 个字。") % {"n": COMMENT_MAX}, code="too_long", field="comment"
        )
    return text


@transaction.atomic(durable=True)
def task_claim(*, user: User, task_id: int, actor: Actor | None = None) -> CaseTask:
    case, task = _task_locked(user, task_id)
    if task.status == CaseTask.Status.CLAIMED and task.claimed_by_id == user.pk:
        return task
    if task.status == CaseTask.Status.CLAIMED:
        raise TaskClaimedByOther()
    if task.status != CaseTask.Status.OPEN:
        raise TaskFinished()
    task.status, task.claimed_by = CaseTask.Status.CLAIMED, user
    task.save(update_fields=["status", "claimed_by"])
    claimed = _("认领了任务：%(step)s") % {"step": task.name}
    event(case, "task_claimed", user=user, task=task, message=claimed, public=False)
    audit_record(actor=actor_for(user, actor), action=audit_events.TASK_CLAIM, target=task)
    return task


@transaction.atomic(durable=True)
def task_unclaim(*, user: User, task_id: int, actor: Actor | None = None) -> CaseTask:
    case, task = _task_locked(user, task_id)
    if task.status != CaseTask.Status.CLAIMED:
        raise TaskFinished()
    if task.claimed_by_id != user.pk:
        raise TaskClaimedByOther()
    task.status, task.claimed_by = CaseTask.Status.OPEN, None
    task.save(update_fields=["status", "claimed_by"])
    unclaimed = _("放回待认领：%(step)s") % {"step": task.name}
    event(case, "task_unclaimed", user=user, task=task, message=unclaimed, public=False)
    audit_record(actor=actor_for(user, actor), action=audit_events.TASK_UNCLAIM, target=task)
    return task


@transaction.atomic(durable=True)
def task_complete(
    *,
    user: User,
    task_id: int,
    decision: str,
    comment: str = "",
    findings: Mapping[str, Any] | None = None,
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> CaseTask:
    """Approve, reject (reason required) or return for supplements (what is missing,
    required). Completing a task somebody else claimed, or one already done, is refused.

    ``findings``: the values of the task's form (a department's finding, e.g. income_ok),
    checked against the form, kept on the task and set as process variables."""
    if decision not in DECISIONS:
        raise ValidationFailed(_("请选择办理结果。"), code="invalid_decision", field="decision")
    case, task = _task_locked(user, task_id)
    if task.status == CaseTask.Status.WAITING:
        raise TaskWaitingForApplicant()
    if task.status not in (CaseTask.Status.OPEN, CaseTask.Status.CLAIMED):
        raise TaskFinished()
    if task.status == CaseTask.Status.CLAIMED and task.claimed_by_id != user.pk:
        raise TaskClaimedByOther()
    now = now or timezone.now()
    _in_person_check(case, task, decision=decision, now=now)
    recorded = findings_clean(task_form(case, task.element_id), findings or {}, decision=decision)
    text = _clean_comment(
        comment,
        required=decision != "approve",
        message=_("请填写不予许可的理由。")
        if decision == "reject"
        else _("请写明需要补正的内容。"),
    )
    who = actor_for(user, actor)
    run = restore(case)
    context = process_context(case)
    if decision == "supplement":
        if not models_supplements(case):
            return _request_supplement(case, task, user=user, actor=who, text=text, now=now)
        _engine_complete(run, task, decision, text, recorded, now=now, context=context)
        if not applicant_tasks(run):
            # This step's gateway has no way back to the applicant: wait outside the engine.
            return _request_supplement(case, task, user=user, actor=who, text=text, now=now)
    else:
        _engine_complete(run, task, decision, text, recorded, now=now, context=context)
    also = task_completed_record(
        case, task, user=user, decision=decision, text=text, findings=recorded, now=now
    )
    # The department is the entry's actor (shown before the message), not part of it.
    messages = {
        "approve": _("审核通过：%(step)s"),
        "reject": _("不予许可（%(step)s）：%(reason)s"),
        "supplement": _("要求补正（%(step)s）：%(reason)s"),
    }
    done = event_row(
        case,
        {"approve": "task_approved", "reject": "task_rejected"}.get(
            decision, "supplement_requested"
        ),
        user=user,
        actor_label=task.department.name,
        task=task,
        message=messages[decision] % {"step": task.name, "reason": text},
        data={
            "decision": decision,
            "comment": text,
            **({"findings": recorded} if recorded else {}),
        },
        at=now,
    )
    apply_run(case, run, now=now, also=also, events=[done])
    audit_record(
        actor=who,
        action=audit_events.TASK_DECIDED[decision],
        target=task,
        changes={"case": case.number, "decision": decision, "status": case.status},
    )
    if not case.is_concluded:
        enqueue_advance(case)
    return task


class PersonsNotPresent(Conflict):
    code = "not_checked_in"


def _in_person_check(case: Case, task: CaseTask, *, decision: str, now: datetime.datetime) -> None:
    """A task done with the persons present (the registrar's 当场审查) is decided only on the
    booked day, once the office has checked in everybody expected (``appointment``)."""
    from onewindow.appointments.selectors import in_person_block

    reason = in_person_block(case=case, element_id=task.element_id, decision=decision, now=now)
    if reason:
        raise PersonsNotPresent(reason)


def task_completed_record(
    case: Case,
    task: CaseTask,
    *,
    user: User,
    decision: str,
    text: str,
    findings: dict[str, Any],
    now: datetime.datetime,
) -> tuple[str, ...]:
    """Save the task as completed by ``user`` (a staff member, or a company's representative
    or agent) with its decision; a refusal's reason becomes the case's. The case fields to
    save with the run (``apply_run(also=...)``)."""
    task.status = CaseTask.Status.COMPLETED
    task.decision, task.comment, task.findings = decision, text, findings
    task.claimed_by = task.claimed_by or user
    task.completed_by, task.completed_at = user, now
    task.save(
        update_fields=[
            "status",
            "decision",
            "comment",
            "claimed_by",
            "completed_by",
            "completed_at",
            "findings",
        ]
    )
    if decision != "reject":
        return ()
    case.outcome_note = text
    return ("outcome_note",)


def _engine_complete(
    run: Any,
    task: CaseTask,
    decision: str,
    text: str,
    findings: Mapping[str, Any],
    *,
    now: datetime.datetime,
    context: Any,
) -> None:
    try:
        run.complete(
            task.uid,
            data={**findings, "decision": decision, "comment": text},
            now=now,
            context=context,
        )
    except (EngineTaskNotFound, TaskNotOpen, RunFinished) as exc:
        raise TaskFinished() from exc


def _request_supplement(
    case: Case, task: CaseTask, *, user: User, actor: Actor, text: str, now: datetime.datetime
) -> CaseTask:
    """The task waits (the engine does not move); the applicant sees the request, corrects
    and resubmits, then the same task comes back to the same inbox."""
    task.status = CaseTask.Status.WAITING
    task.decision, task.comment = "supplement", text
    task.claimed_by = task.claimed_by or user
    task.save(update_fields=["status", "decision", "comment", "claimed_by"])
    case.status = Case.Status.SUPPLEMENT
    save_case(case, "status")
    event(
        case,
        "supplement_requested",
        user=user,
        actor_label=task.department.name,
        task=task,
        message=_("要求补正（%(step)s）：%(reason)s") % {"step": task.name, "reason": text},
        at=now,
    )
    audit_record(
        actor=actor,
        action=audit_events.TASK_SUPPLEMENT,
        target=task,
        changes={"case": case.number, "comment": text},
    )
    return task


@transaction.atomic(durable=True)
def task_transfer(
    *, user: User, task_id: int, to_user_id: int, actor: Actor | None = None
) -> CaseTask:
    """Hand an open or claimed task to another staff member holding the same role."""
    case, task = _task_locked(user, task_id)
    if task.status not in (CaseTask.Status.OPEN, CaseTask.Status.CLAIMED):
        raise TaskFinished()
    if task.status == CaseTask.Status.CLAIMED and task.claimed_by_id != user.pk:
        raise TaskClaimedByOther()
    target = user_get(pk=to_user_id)
    if target is None or target.pk == user.pk or not staff_may_act(target, task):
        raise ValidationFailed(
            _("只能转交给本部门具有相同角色的其他工作人员。"), code="bad_target", field="to_user"
        )
    task.status, task.claimed_by = CaseTask.Status.CLAIMED, target
    task.save(update_fields=["status", "claimed_by"])
    event(
        case,
        "task_transferred",
        user=user,
        task=task,
        message=_("转交给 %(name)s") % {"name": target.display_name or target.username},
        data={"to": target.pk},
        public=False,
    )
    audit_record(
        actor=actor_for(user, actor),
        action=audit_events.TASK_TRANSFER,
        target=task,
        changes={"to": target.pk},
    )
    return task


@transaction.atomic(durable=True)
def task_comment(*, user: User, task_id: int, comment: str, actor: Actor | None = None) -> None:
    case, task = _task_locked(user, task_id)
    text = _clean_comment(comment, required=True, message=_("请填写意见。"))
    event(case, "comment", user=user, task=task, message=text, public=False)
    audit_record(actor=actor_for(user, actor), action=audit_events.TASK_COMMENT, target=task)


@dataclass(frozen=True)
class BulkResult:
    task_id: int
    ok: bool
    message: str = ""


def tasks_bulk(
    *, user: User, task_ids: list[int], action: str, actor: Actor | None = None
) -> list[BulkResult]:
    """Claim or approve several tasks; each in its own transaction, so one refusal does not
    undo the others."""
    results: list[BulkResult] = []
    for task_id in dict.fromkeys(task_ids):
        try:
            if action == "claim":
                task_claim(user=user, task_id=task_id, actor=actor)
            elif action == "approve":
                task_complete(user=user, task_id=task_id, decision="approve", actor=actor)
            else:
                raise ValidationFailed(_("不支持的批量操作。"), code="bad_action", field="action")
            results.append(BulkResult(task_id=task_id, ok=True))
        except ApplicationError as exc:
            results.append(BulkResult(task_id=task_id, ok=False, message=str(exc.message)))
    return results
