"""Driving the process engine for one case: start it, store its instance state, keep the task
table in step with the open user tasks, and run the steps that are not a user's action
(gateways, service tasks, fired timers) under the per-case lock."""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import Actor, audit_record
from onewindow.cases import audit_events
from onewindow.cases.findings import case_findings
from onewindow.cases.home_changes import case_home_changed
from onewindow.cases.models import Case, CaseEvent, CaseTask
from onewindow.cases.party_selectors import agreed_parties
from onewindow.cases.services._common import (
    event_row,
    group_error,
    group_target,
    lock_case,
    save_case,
)
from onewindow.cases.services.ratable import case_rating_expect
from onewindow.cases.signals import publish
from onewindow.catalog.selectors import service_department_loaded
from onewindow.catalog.versions import departments_by_code
from onewindow.core.calendar import add_working_days, is_estimate
from onewindow.core.refs import CaseRef
from onewindow.core.text import zh_text
from onewindow.workflow import EventKind, ProcessRun, RunEvent

if TYPE_CHECKING:
    from onewindow.identity.models import Department

logger = logging.getLogger(__name__)
DEPARTMENT_CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")  # gz-scjgj, gz-mzj-th

ACTIVE = (CaseTask.Status.OPEN, CaseTask.Status.CLAIMED, CaseTask.Status.WAITING)
OUTCOME_STATUS = {
    "approved": Case.Status.APPROVED,
    "rejected": Case.Status.REJECTED,
    "withdrawn": Case.Status.WITHDRAWN,
}
CASE_FIELDS = ("process_state", "next_timer_at", "status", "concluded_at")
APPLICANT_GROUP = "applicant"
COMPANY_GROUP_PREFIX = "company:"  # catalog.packages.process: a task held by a company


def _working_days(start: datetime.date, n: int) -> datetime.date:
    """Working-day timers: the holiday calendar; past its last covered year the engine still
    has to fire escalations, so Monday–Friday is used there (logged)."""
    due = add_working_days(start, n, estimate=True)
    if is_estimate(start, due):
        logger.warning("holiday data missing; timer counts Monday–Friday from %s", start)
    return due


def case_ref(case: Case) -> CaseRef:
    """The frozen value other apps get instead of the case row. Its joint parties and the
    office the applicant came to are read only for a package that has them."""

    version = case.service_version
    service = version.service
    return CaseRef(
        id=case.pk,
        number=case.number or "",
        service_code=service.code,
        service_name=service.name,
        applicant_person_id=case.applicant_person_id,
        applicant_company_id=case.applicant_company_id,
        department_code=service.department.code if service.department_id else "",
        parties=agreed_parties(case),
        applicant_user_id=case.created_by_id,
        outcome_note=case.outcome_note or "",
        service_version=version.number,
        attended_office=_attended_office(case),
    )


def _attended_office(case: Case) -> str:
    """The office of the booking the applicant was checked in for (到场), if the service
    books appointments."""
    from onewindow.appointments.selectors import booking_for_case, case_needs_appointment

    if case.pk is None or not case_needs_appointment(case):
        return ""
    booking = booking_for_case(case)
    if booking is None or booking.status != "attended":
        return ""
    return str(booking.slot.resource.name)


def process_context(case: Case) -> dict[str, Any]:
    """What the engine and the actions of service tasks are given: the ``CaseRef``, the
    answers as the applicant last gave them (``form_data``) and, for an establishment
    package, the company it registers (``establishment``, an ``identity`` value)."""
    from onewindow.cases.services.establish import establishment_for

    return {
        "case": case_ref(case),
        "form_data": dict(case.form_data or {}),
        "establishment": establishment_for(case),
        "add_working_days": _working_days,
        "case_id": case.pk,
        "case_number": case.number,
        "service_code": case.service_version.service.code,
        "applicant_person_id": case.applicant_person_id,
        "applicant_company_id": case.applicant_company_id,
        "decisions": case.service_version.definition.get("decisions", {}),
        # The package's role names (``roles:`` → department and role): the groups a
        # ``notify.send`` step may address.
        "roles": case.service_version.definition.get("roles") or {},
    }


def applicant_tasks(run: ProcessRun) -> list[Any]:
    """Open tasks of the applicant (candidate group ``applicant``): supplements the process
    models itself."""
    return [t for t in run.open_user_tasks() if APPLICANT_GROUP in t.candidate_groups]


def models_supplements(case: Case) -> bool:
    tasks = (case.service_version.process_spec or {}).get("user_tasks") or {}
    return any(APPLICANT_GROUP in (t.get("candidate_groups") or []) for t in tasks.values())


INSTANCE_ROLE = "approver"


def signer_group(groups: tuple[str, ...], instance_index: int | None) -> str:
    """The group one task goes to. A 会签 instance's group comes from its element variable
    (``${dept}``, resolved by the engine): a department code alone means that department's
    approvers. A multi-instance task listing one fixed group per signer sends instance i to
    group i; a task with several groups and no instances goes to the first."""
    if instance_index is not None and len(groups) > 1:
        return groups[instance_index % len(groups)]
    group = groups[0]
    if instance_index is not None and ":" not in group and DEPARTMENT_CODE.match(group):
        return f"{group}:{INSTANCE_ROLE}"
    return group


def restore(case: Case) -> ProcessRun:
    return ProcessRun.restore(case.service_version.process_spec, case.process_state or {})


def apply_run(
    case: Case,
    run: ProcessRun,
    *,
    now: datetime.datetime,
    fresh: bool = False,
    insert: bool = False,
    also: tuple[str, ...] = (),
    events: list[CaseEvent] | None = None,
    before_timeline: Callable[[], None] | None = None,
) -> list[CaseTask]:
    """Store the run's state on the case and bring the task table in line with the engine's
    open user tasks. Returns the task rows created. Cost depends on the open tasks only.

    ``fresh``: the case has no task rows yet (it is being submitted), so none are read.
    ``insert``: the case is not in the database yet (a one-call submission): it is inserted
    with the run's state in one statement instead of an insert and an update. Implies fresh.
    ``also``: further case fields the caller changed, written in the same UPDATE.
    ``events``: the caller's unsaved timeline rows, inserted together with the new tasks'.
    ``before_timeline``: called after the case and task rows are written, before the timeline
    rows are (a submission takes its number there, and completes its own row)."""
    fresh = fresh or insert
    open_all = run.open_user_tasks()
    applicant_open = [t for t in open_all if APPLICANT_GROUP in t.candidate_groups]
    open_tasks = {t.uid: t for t in open_all if APPLICANT_GROUP not in t.candidate_groups}
    rows: list[CaseTask] = (
        [] if fresh else list(case.tasks.filter(Q(status__in=ACTIVE) | Q(uid__in=list(open_tasks))))
    )
    known = {row.uid for row in rows}
    still_active: list[CaseTask] = []
    gone: list[CaseTask] = []
    for row in rows:
        if row.status not in ACTIVE:
            continue
        (still_active if row.uid in open_tasks else gone).append(row)
    _cancel(gone, now=now)
    case.process_state = run.state()
    case.next_timer_at = run.next_timer_at()
    outcome = (run.outcome() or "approved") if run.finished else None
    decided = False  # the process, not a department's 不予许可, decided the refusal
    if outcome is not None:
        case.status = OUTCOME_STATUS.get(outcome, Case.Status.APPROVED)
        case.concluded_at = now
        if outcome == "rejected" and not case.outcome_note:
            decided = True
            case.outcome_note = decided_reason(run, case)  # e.g. a table's reason
            also += ("outcome_note",) if case.outcome_note else ()
    elif applicant_open or any(row.status == CaseTask.Status.WAITING for row in still_active):
        case.status = Case.Status.SUPPLEMENT
    else:
        case.status = Case.Status.IN_PROGRESS
    if insert:
        case.save(force_insert=True)
    created = _open_tasks(case, [info for uid, info in open_tasks.items() if uid not in known])
    timeline = list(events or [])
    # the package's keep_holder: the next step stays with its holder (a case being submitted
    # has no completed task whose holder could keep it: nothing to read)
    if outcome is None and not fresh:
        from onewindow.cases.services.holders import keep_holders

        timeline += keep_holders(case, created)
    for row in created:
        department = row.department
        timeline.append(
            event_row(
                case,
                "task_opened",
                task=row,
                actor_label=department.name,
                message=_("开始办理：%(step)s") % {"step": row.name},
                data={"department": department.code, "role": row.role_code},
            )
        )
    if outcome is not None:
        _cancel(still_active + created, now=now)
    # Whoever held a task the process no longer needs (a rejection elsewhere ended the case,
    # a signer's veto ended the sign-off) is told, with the case's reason.
    for row in [*gone, *(still_active if outcome is not None else [])]:
        reason = case.outcome_note or _("流程已不再需要此步骤")
        timeline.append(
            event_row(
                case,
                "task_cancelled",
                task=row,
                actor_label=_("系统"),
                message=_("%(step)s 已取消：%(reason)s") % {"step": row.name, "reason": reason},
                data={"reason": reason},
                public=False,
            )
        )
    if outcome is not None:
        _close_appointment(case, now=now)
        timeline.append(
            event_row(
                case,
                "concluded",
                actor_label=_("系统"),
                message=str(Case.Status(case.status).label),
                data={"outcome": outcome},
            )
        )
    if before_timeline is not None:
        before_timeline()
    if timeline:
        CaseEvent.objects.bulk_create(timeline)
        publish(case, timeline)
    if not insert:
        save_case(case, *dict.fromkeys(also + CASE_FIELDS))
    if outcome is not None:
        case_rating_expect(case, now=now)
    if outcome == "rejected":
        from onewindow.cases.letters import letter_issue

        letter_issue(case, variables=run.data(), decided=decided, now=now)
    elif outcome is not None and case.status == Case.Status.APPROVED:
        from onewindow.cases.services.establish import case_establish

        case_establish(case)  # an establishment package: the company now exists
    return created


def decided_reason(run: ProcessRun, case: Case) -> str:
    """Why a case the process routed to a rejection was rejected: the ``reason`` a decision
    table (or any step) left in the process variables — with the figures against the
    table's standard when a table decided (家庭人均住房建筑面积不低于15平方米（家庭人均住房建筑面积
    62 平方米，标准为低于 15 平方米）) — else the departments' negative findings (a gateway on
    ``income_ok`` and the like sent it there)."""
    from onewindow.cases.rule_results import refusal_reason, table_refusal

    data = run.data()
    reason = zh_text(data.get("reason"))
    table = table_refusal(case, data) if reason else None
    if table is not None and table[0] == reason:
        reason = refusal_reason(reason, table[2])
    if not reason:
        reason = "；".join(
            f"{finding.task.department.name}：{line.label}（{line.value}）"
            for finding in case_findings(case)
            for name, line in zip(finding.fields, finding.lines, strict=True)
            if finding.task.findings.get(name) is False
        )
    return reason[:500]


def _cancel(rows: list[CaseTask], *, now: datetime.datetime) -> None:
    if not rows:
        return
    CaseTask.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=CaseTask.Status.CANCELLED, completed_at=now
    )
    case_home_changed(case_ids={row.case_id for row in rows})
    for row in rows:
        row.status, row.completed_at = CaseTask.Status.CANCELLED, now


def _open_tasks(case: Case, infos: list[Any]) -> list[CaseTask]:
    """Task rows for newly opened user tasks; their departments from the worker's cache
    (catalog.versions; the service's own department is already loaded with the case)."""
    if not infos:
        return []
    definition = case.service_version.definition or {}
    service = case.service_version.service
    targets: list[tuple[Any, tuple[str, ...], str, str]] = []
    holders: dict[str, Any] = {}  # a task held by a company (company_tasks), by uid
    for info in infos:
        groups = tuple(info.candidate_groups) or ()
        dept_code, role = "", "window_clerk"
        if groups:
            group = signer_group(groups, info.instance_index)
            if group.startswith(COMPANY_GROUP_PREFIX):
                from onewindow.cases.services.company_tasks import company_task_target

                holders[info.uid], role = company_task_target(case, group)
                dept_code = service.department.code  # the department that waits for it
            else:
                dept_code, role = group_target(group, definition=definition)
        targets.append((info, groups, dept_code, role))
    departments: dict[str, Department] = {}
    loaded = service_department_loaded(service=service)
    if loaded is not None:
        departments[loaded.code] = loaded
    wanted = {code for _, _, code, _ in targets if code and code not in departments}
    if wanted:
        departments.update(departments_by_code(wanted))
    rows: list[CaseTask] = []
    for info, groups, dept_code, role in targets:
        if not groups:
            department = service.department
        elif dept_code in departments:
            department = departments[dept_code]
        else:
            raise group_error(signer_group(groups, info.instance_index))
        rows.append(
            CaseTask(
                case=case,
                uid=info.uid,
                element_id=info.element_id,
                name=info.name or info.element_id,
                department=department,
                role_code=role,
                company=holders.get(info.uid),
                candidate_groups=list(groups),
                instance_index=info.instance_index,
                due_date=case.deadline,
            )
        )
    if connection.features.can_return_rows_from_bulk_insert:
        CaseTask.objects.bulk_create(rows)
        case_home_changed(case_ids={row.case_id for row in rows})
    else:
        for row in rows:
            row.save(force_insert=True)
    if any(holders.values()):
        from onewindow.cases.services.company_tasks import company_tasks_tell

        company_tasks_tell(case, rows)
    return rows


def _close_appointment(case: Case, *, now: datetime.datetime) -> None:
    """The case has ended, and its booking with it: a slot still ahead is cancelled (the
    place goes back to other residents), one that began without a check-in is 未到场."""
    from onewindow.appointments.services import bookings_close_for_case

    bookings_close_for_case(case_id=case.pk, now=now)


def enqueue_advance(case: Case) -> None:
    """Owe the case an engine step, in the caller's transaction: ``step_due_at`` is set (the
    step is a state on the case before it is a message) and, once the transaction commits, a
    worker is asked to run it; a message that is lost is sent again by the steps sweep
    (``cases.services.steps``). A process without service tasks has nothing for a worker to
    do: user actions already run its gateways, and its timers are due at ``next_timer_at``,
    which the SLA sweep watches."""
    from onewindow.cases.services.steps import step_owe

    if not (case.service_version.process_spec or {}).get("service_tasks"):
        return
    step_owe(case, now=timezone.now())


def case_advance_enqueue(*, case_id: int) -> None:
    """Something outside the platform that the case's process waits for happened (its fee
    was paid): owe the case an engine step, in the caller's transaction (see
    :func:`enqueue_advance`). An unknown case is ignored."""
    case = Case.objects.filter(pk=case_id).select_related("service_version").first()
    if case is not None:
        enqueue_advance(case)


def case_advance(
    *,
    case_id: int,
    now: datetime.datetime | None = None,
    step: bool = False,
    due: datetime.datetime | None = None,
    stale_claim: datetime.datetime | None = None,
) -> list[str]:
    """Run gateways, service tasks and fired timers of one case under its lock, and record on
    the case how the step went (``cases.services.steps``): done clears the owed step; a
    failed action keeps it owed with a back-off, and the case stuck after ``MAX_ATTEMPTS``;
    an ``EngineError`` (the process cannot continue) makes the case stuck at once. A stuck
    case runs nothing until a supervisor retries it.

    ``step``: the worker's path (Celery task ``cases.advance``). The owed step is claimed
    first, in a transaction of its own, so the sweep sees a worker has it; nothing runs when
    no step is owed (a duplicate message) or another worker holds it, and whatever the step
    raises is recorded as a failed attempt instead of raised. ``due``: when the step was owed
    from as the message was sent (a message from before a failure that put the next attempt
    off runs nothing). ``stale_claim``: the claim the sweep found lost with its worker, taken
    over here. Without ``step`` (the SLA sweep's due timers) the step runs at once."""
    from onewindow.cases.services import steps
    from onewindow.cases.services._common import ProcessConfigError
    from onewindow.workflow import EngineError

    now = now or timezone.now()
    claim = (
        steps.step_claim(case_id=case_id, now=now, due=due, stale_claim=stale_claim)
        if step
        else None
    )
    if step and claim is None:
        return []
    try:
        with transaction.atomic(durable=True):
            case = lock_case(case_id)
            if claim is not None and case.step_claimed_at != claim:
                return []  # run meanwhile by someone else (the SLA sweep, a supervisor)
            if case.stuck_at is not None:
                return []
            if not case.is_open or not case.process_state:
                if steps.step_clear(case):
                    save_case(case, *steps.STEP_FIELDS)
                return []
            try:
                with transaction.atomic():  # a step that cannot go on keeps nothing it did
                    run = restore(case)
                    events = run.advance(now=now, context=process_context(case))
                    escalations = [e for e in events if e.kind is EventKind.TIMER_FIRED]
                    # The tasks open before this step matter only to an escalation.
                    before = (
                        {row.uid for row in case.tasks.filter(status__in=ACTIVE)}
                        if escalations
                        else set()
                    )
                    also = steps.step_settle(case, run, events, now=now)
                    created = apply_run(case, run, now=now, also=also)
            except (EngineError, ProcessConfigError) as exc:
                case = lock_case(case_id)
                steps.step_stuck(case, now=now, reason=str(exc.message))
                audit_record(
                    actor=Actor.system("cases.advance"),
                    action=audit_events.CASE_STUCK,
                    target=case,
                    changes={"error": case.step_error[:300]},
                )
                return ["stuck"]
            if escalations:
                _mark_escalated(case, before=before, created=created, events=escalations, now=now)
            if case.stuck_at is not None:  # the last failure this step was allowed
                steps.step_stuck_record(case, now=now, attempts=case.step_attempts)
            if events:
                changes: dict[str, Any] = {
                    "events": [str(e) for e in events[:20]],
                    "status": case.status,
                }
                if case.step_attempts:
                    changes["attempts"] = case.step_attempts
                if case.stuck_at is not None:
                    changes["stuck"] = True
                audit_record(
                    actor=Actor.system("cases.advance"),
                    action=audit_events.CASE_ADVANCE,
                    target=case,
                    changes=changes,
                )
            return [str(e) for e in events]
    except Exception as exc:
        if claim is None:
            raise
        logger.exception("case %s: engine step failed", case_id)
        steps.step_failed(case_id=case_id, claim=claim, now=now, error=exc)
        return []


def _mark_escalated(
    case: Case,
    *,
    before: set[str],
    created: list[CaseTask],
    events: list[RunEvent],
    now: datetime.datetime,
) -> None:
    """A fired timer boundary event escalates the task it is attached to (the task of the
    event's ``attachedToRef`` that was open before this step: still open after a
    non-interrupting timer, cancelled by an interrupting one) and the tasks its path opened.
    Each newly escalated task is flagged (``escalated``, ``escalated_at`` = the step's time)
    and gets one internal timeline row (kind ``escalated``, with the task), which
    ``case_news`` carries to the notification service. A timer that is no boundary event (an
    intermediate catch event) is a planned wait, not an escalation. A spec compiled before
    boundary events were recorded falls back to the tasks open before the step and past
    their due date."""
    fired = [e.element for e in events if e.kind is EventKind.TIMER_FIRED]
    boundary = (case.service_version.process_spec or {}).get("boundary_events")
    tasks = case.tasks.select_related("department")
    if boundary is None:
        rows = list(created) + list(
            tasks.filter(uid__in=before, status__in=ACTIVE, due_date__lt=now.date())
        )
    else:
        attached = {boundary[e]["attached_to"] for e in fired if e in boundary}
        if not attached:
            return
        rows = list(tasks.filter(uid__in=before, element_id__in=attached)) + list(created)
    fresh = list({row.pk: row for row in rows if not row.escalated}.values())
    if not fresh:
        return
    CaseTask.objects.filter(pk__in=[row.pk for row in fresh]).update(
        escalated=True, escalated_at=now
    )
    timeline = []
    for row in fresh:
        row.escalated, row.escalated_at = True, now
        timeline.append(
            event_row(
                case,
                "escalated",
                task=row,
                actor_label=_("系统"),
                message=_("%(step)s：办理时限已到，已督办。") % {"step": row.name},
                data={
                    "events": fired[:5],
                    "department": row.department.code,
                    "role": row.role_code,
                },
                public=False,
                at=now,
            )
        )
    CaseEvent.objects.bulk_create(timeline)
    publish(case, timeline)
    logger.info("case %s escalated %d task(s): %s", case.number, len(fresh), events)
