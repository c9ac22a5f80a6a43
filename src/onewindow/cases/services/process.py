"""Driving the process engine for one case: start it, store its instance state, keep the task
table in step with the open user tasks, and run the steps that are not a user's action
(gateways, service tasks, fired timers) under the per-case lock."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import Actor, audit_record
from onewindow.cases.engine import ProcessRun
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.services._common import event, lock_case, resolve_group, save_case
from onewindow.core.calendar import CalendarNotCovered, add_working_days

logger = logging.getLogger(__name__)

ACTIVE = (CaseTask.Status.OPEN, CaseTask.Status.CLAIMED, CaseTask.Status.WAITING)
OUTCOME_STATUS = {
    "approved": Case.Status.APPROVED,
    "rejected": Case.Status.REJECTED,
    "withdrawn": Case.Status.WITHDRAWN,
}
CASE_FIELDS = ("process_state", "next_timer_at", "status", "concluded_at")
APPLICANT_GROUP = "applicant"


def _working_days(start: datetime.date, n: int) -> datetime.date:
    """Working-day timers: the holiday calendar; past its last covered year the engine still
    has to fire escalations, so Monday–Friday is used there (logged)."""
    try:
        return add_working_days(start, n)
    except CalendarNotCovered:
        logger.warning("holiday data missing; timer counts Monday–Friday from %s", start)
        day, left = start, n
        while left > 0:
            day += datetime.timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day


def process_context(case: Case) -> dict[str, Any]:
    return {
        "add_working_days": _working_days,
        "case_id": case.pk,
        "case_number": case.number,
        "service_code": case.service_version.service.code,
        "applicant_person_id": case.applicant_person_id,
        "applicant_company_id": case.applicant_company_id,
        "decisions": case.service_version.definition.get("decisions", {}),
    }


def applicant_tasks(run: ProcessRun) -> list[Any]:
    """Open tasks of the applicant (candidate group ``applicant``): supplements the process
    models itself."""
    return [t for t in run.open_user_tasks() if APPLICANT_GROUP in t.candidate_groups]


def models_supplements(case: Case) -> bool:
    tasks = (case.service_version.process_spec or {}).get("user_tasks") or {}
    return any(APPLICANT_GROUP in (t.get("candidate_groups") or []) for t in tasks.values())


def signer_group(groups: tuple[str, ...], instance_index: int | None) -> str:
    """The group one task goes to. A multi-instance task (会签) listing one group per signer
    sends instance i to group i, so each department signs only its own instance; a task with
    several groups and no instances goes to the first."""
    if instance_index is not None and len(groups) > 1:
        return groups[instance_index % len(groups)]
    return groups[0]


def restore(case: Case) -> ProcessRun:
    return ProcessRun.restore(case.service_version.process_spec, case.process_state or {})


def apply_run(case: Case, run: ProcessRun, *, now: datetime.datetime) -> list[CaseTask]:
    """Store the run's state on the case and bring the task table in line with the engine's
    open user tasks. Returns the task rows created. Cost depends on the open tasks only."""
    open_all = run.open_user_tasks()
    applicant_open = [t for t in open_all if APPLICANT_GROUP in t.candidate_groups]
    open_tasks = {t.uid: t for t in open_all if APPLICANT_GROUP not in t.candidate_groups}
    active = list(case.tasks.filter(status__in=ACTIVE))
    for row in active:
        if row.uid not in open_tasks:
            row.status = CaseTask.Status.CANCELLED
            row.completed_at = now
            row.save(update_fields=["status", "completed_at"])
    known = {row.uid for row in active} | set(
        case.tasks.filter(uid__in=list(open_tasks)).values_list("uid", flat=True)
    )
    created: list[CaseTask] = []
    definition = case.service_version.definition or {}
    owner = case.service_version.service.department
    for uid, info in open_tasks.items():
        if uid in known:
            continue
        groups = tuple(info.candidate_groups) or ()
        if groups:
            department, role = resolve_group(
                signer_group(groups, info.instance_index), definition=definition
            )
        else:
            department, role = owner, "window_clerk"
        row = CaseTask.objects.create(
            case=case,
            uid=uid,
            element_id=info.element_id,
            name=info.name or info.element_id,
            department=department,
            role_code=role,
            candidate_groups=list(groups),
            instance_index=info.instance_index,
            due_date=case.deadline,
        )
        created.append(row)
        event(
            case,
            "task_opened",
            task=row,
            actor_label=department.name,
            message=_("开始办理：%(step)s") % {"step": row.name},
            data={"department": department.code, "role": role},
        )
    case.process_state = run.state()
    case.next_timer_at = run.next_timer_at()
    if run.finished:
        outcome = run.outcome() or "approved"
        case.status = OUTCOME_STATUS.get(outcome, Case.Status.APPROVED)
        case.concluded_at = now
        for row in case.tasks.filter(status__in=ACTIVE):
            row.status = CaseTask.Status.CANCELLED
            row.completed_at = now
            row.save(update_fields=["status", "completed_at"])
        if case.status != Case.Status.APPROVED:
            _release_appointment(case, outcome=outcome, now=now)
        event(
            case,
            "concluded",
            actor_label=_("系统"),
            message=str(Case.Status(case.status).label),
            data={"outcome": outcome},
        )
    elif applicant_open or case.tasks.filter(status=CaseTask.Status.WAITING).exists():
        case.status = Case.Status.SUPPLEMENT
    else:
        case.status = Case.Status.IN_PROGRESS
    save_case(case, *CASE_FIELDS)
    return created


def _release_appointment(case: Case, *, outcome: str, now: datetime.datetime) -> None:
    """A rejected or withdrawn case gives its appointment place back to other residents."""
    from onewindow.appointments.services import bookings_release_for_case

    bookings_release_for_case(case_id=case.pk, reason=f"case {outcome}", now=now)


def enqueue_advance(case: Case) -> None:
    """After the transaction commits, let a worker run the engine steps that follow. A process
    without service tasks has nothing for a worker to do: user actions already run its
    gateways, and its timers are due at ``next_timer_at``, which the SLA sweep watches."""
    from onewindow.cases.tasks import case_advance_task

    if not (case.service_version.process_spec or {}).get("service_tasks"):
        return

    case_id = case.pk
    transaction.on_commit(lambda: case_advance_task.delay(case_id))


@transaction.atomic
def case_advance(*, case_id: int, now: datetime.datetime | None = None) -> list[str]:
    """Run gateways, service tasks and fired timers of one case under its lock."""
    now = now or timezone.now()
    case = lock_case(case_id)
    if not case.is_open or not case.process_state:
        return []
    run = restore(case)
    events = run.advance(now=now, context=process_context(case))
    before = {row.uid for row in case.tasks.filter(status__in=ACTIVE)}
    created = apply_run(case, run, now=now)
    escalations = [text for text in events if "timer" in text.lower() or "escalat" in text.lower()]
    if escalations:
        _mark_escalated(case, before=before, created=created, events=escalations, now=now)
    if events:
        audit_record(
            actor=Actor.system("cases.advance"),
            action="cases.case.advance",
            target=case,
            changes={"events": events[:20], "status": case.status},
        )
    return events


def _mark_escalated(
    case: Case,
    *,
    before: set[str],
    created: list[CaseTask],
    events: list[str],
    now: datetime.datetime,
) -> None:
    """A fired timer boundary event escalates: tasks it opened and tasks still waiting past
    their due date are flagged for the inbox."""
    rows = [row for row in created]
    rows += list(case.tasks.filter(uid__in=before, status__in=ACTIVE, due_date__lt=now.date()))
    for row in rows:
        if not row.escalated:
            row.escalated = True
            row.save(update_fields=["escalated"])
    event(
        case,
        "escalated",
        actor_label=_("系统"),
        message=_("办理时限已到，已督办升级。"),
        data={"events": events[:5]},
        public=False,
        at=now,
    )
    logger.info("case %s escalated: %s", case.number, events)
