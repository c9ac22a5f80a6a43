"""停滞办件 for supervisors: the stuck cases of the departments a user supervises
(``cases.supervise_cases``), and the two ways out: run the step again (on the case's version,
or on the service's newer version when the case's state restores under it) or conclude the
case with a reason. How a case becomes stuck is in :mod:`cases.services.steps`."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.services import Actor, Outcome, audit_record
from onewindow.cases import audit_events
from onewindow.cases.home_changes import case_home_changed
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.selectors import supervised_department_ids
from onewindow.cases.services._common import (
    CaseNotFound,
    actor_for,
    event,
    lock_case,
    save_case,
)
from onewindow.cases.services.ratable import case_rating_expect
from onewindow.cases.services.steps import ACTIVE_TASKS, STEP_FIELDS, send_step, step_clear
from onewindow.catalog.selectors import service_current_id
from onewindow.catalog.versions import service_version_cached
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.workflow import ProcessRun

if TYPE_CHECKING:
    from onewindow.catalog.models import ServiceVersion
    from onewindow.identity.models import User

logger = logging.getLogger(__name__)


class CaseNotStuck(Conflict):
    code = "case_not_stuck"

    def __init__(self) -> None:
        super().__init__(gettext_lazy("该办件已不在停滞状态，无需处理。"))


def _scope(department_ids: set[int] | None) -> Q:
    """A case belongs to its service's department and to every department holding one of
    its open tasks."""
    if department_ids is None:
        return Q()
    tasks = CaseTask.objects.filter(status__in=ACTIVE_TASKS, department_id__in=department_ids)
    return Q(service_version__service__department_id__in=department_ids) | Q(
        pk__in=tasks.values("case_id")
    )


@dataclass(frozen=True)
class StuckCase:
    number: str
    service_name: str
    version: int
    department: str
    stuck_at: datetime.datetime
    error: str
    attempts: int
    open_steps: list[str]  # "step · department" of each open task
    newer_version: int | None  # the service's version a retry may move the case to


def stuck_cases_for(*, user: User, limit: int = 100) -> list[StuckCase]:
    """The stuck cases of the departments ``user`` supervises, longest stuck first."""
    department_ids = supervised_department_ids(user)
    if department_ids is not None and not department_ids:
        return []
    cases = list(
        Case.objects.filter(_scope(department_ids), stuck_at__isnull=False)
        .select_related("service_version__service__department")
        .order_by("stuck_at", "pk")[:limit]
    )
    tasks: dict[int, list[str]] = {}
    for task in (
        CaseTask.objects.filter(case__in=cases, status__in=ACTIVE_TASKS)
        .select_related("department")
        .order_by("created_at", "pk")
    ):
        tasks.setdefault(task.case_id, []).append(f"{task.name} · {task.department.name}")
    out = []
    for case in cases:
        service = case.service_version.service
        newer = newer_version(case, current_id=service.current_id)
        out.append(
            StuckCase(
                number=case.number or "",
                service_name=service.display_name,
                version=case.service_version.number,
                department=service.department.name if service.department_id else "",
                stuck_at=case.stuck_at or timezone.now(),
                error=case.step_error,
                attempts=case.step_attempts,
                open_steps=tasks.get(case.pk, []),
                newer_version=newer.number if newer is not None else None,
            )
        )
    return out


def current_version_id(case: Case) -> int | None:
    """The id of the version of the case's service in force now (read, not cached)."""
    return service_current_id(service_id=case.service_version.service_id)


def newer_version(case: Case, *, current_id: int | None) -> ServiceVersion | None:
    """The service's version in force (``current_id``) when it is newer than the case's and
    the case's process state restores under it; else None."""
    if current_id is None or current_id == case.service_version_id:
        return None
    current = service_version_cached(current_id)
    if current.number <= case.service_version.number:
        return None
    try:
        ProcessRun.restore(current.process_spec, case.process_state or {})
    except Exception:  # any failure to restore means the state does not fit that version
        logger.info("case %s does not restore under v%s", case.number, current.number)
        return None
    return current


def _supervised_case(user: User, number: str) -> Case | None:
    """The case, locked, when ``user`` supervises one of its departments; else None."""
    if not number:
        return None
    department_ids = supervised_department_ids(user)
    if department_ids is not None and not department_ids:
        return None
    found = Case.objects.filter(_scope(department_ids), number=number).values_list("pk", flat=True)
    case_id = found.first()
    if case_id is None:
        return None
    return lock_case(case_id)


def _refuse(*, actor: Actor, action: str, number: str) -> CaseNotFound:
    """Out of the user's departments (or unknown): answered like an unknown case, with the
    refusal audited in its own transaction."""
    case_id = Case.objects.filter(number=number).values_list("pk", flat=True).first()
    with transaction.atomic(durable=True):
        audit_record(
            actor=actor,
            action=action,
            target_type="cases.case",
            target_id=str(case_id or ""),
            outcome=Outcome.DENIED,
            changes={"number": number[:32], "reason": "outside the supervisor's departments"},
        )
    return CaseNotFound()


def case_stuck_retry(
    *,
    user: User,
    number: str,
    current_version: bool = False,
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> Case:
    """A supervisor runs a stuck case's step again: stuck cleared, attempts reset, the step
    owed now and queued. ``current_version``: first move the case to the service's newer
    published version (only when its process state restores under it)."""
    who = actor_for(user, actor)
    now = now or timezone.now()
    action = audit_events.CASE_RETRY_CURRENT if current_version else audit_events.CASE_RETRY
    with transaction.atomic(durable=True):
        case = _supervised_case(user, number)
        if case is not None:
            if case.stuck_at is None or not case.is_open:
                raise CaseNotStuck()
            changes: dict[str, Any] = {
                "number": case.number,
                "error": case.step_error[:300],
                "attempts": case.step_attempts,
            }
            fields: tuple[str, ...] = STEP_FIELDS
            message = _("督办人员已安排重新执行流程步骤。")
            if current_version:
                version = newer_version(case, current_id=current_version_id(case))
                if version is None:
                    raise Conflict(
                        gettext_lazy(
                            "该事项没有可接续本办件流程的新版本，请按原版本重试或作出办结决定。"
                        ),
                        code="no_newer_version",
                    )
                changes["version"] = {"from": case.service_version.number, "to": version.number}
                message = _("督办人员已将办件改按第 %(n)s 版流程重新执行。") % {"n": version.number}
                case.service_version = version
                fields += ("service_version",)
            step_clear(case)
            case.stuck_at = None
            case.step_due_at = now
            save_case(case, *fields)
            event(
                case,
                "step_retried",
                user=user,
                message=message,
                data={k: v for k, v in changes.items() if k != "number"},
                public=False,
                at=now,
            )
            audit_record(actor=who, action=action, target=case, changes=changes)
            send_step(case.pk, due=now)
            return case
    raise _refuse(actor=who, action=action, number=number)


def case_stuck_conclude(
    *,
    user: User,
    number: str,
    reason: str,
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> Case:
    """A supervisor ends a stuck case: not approved (不予), with the reason as the outcome
    note the applicant reads; open tasks are cancelled and an appointment given back."""
    from onewindow.appointments.services import bookings_release_for_case

    who = actor_for(user, actor)
    now = now or timezone.now()
    action = audit_events.CASE_CONCLUDE_STUCK
    reason = (reason or "").strip()
    with transaction.atomic(durable=True):
        case = _supervised_case(user, number)
        if case is not None:
            if case.stuck_at is None or not case.is_open:
                raise CaseNotStuck()
            if not reason:
                raise ValidationFailed(gettext_lazy("请写明办结理由。"), field="reason")
            error = case.step_error
            cancelled = CaseTask.objects.filter(case=case, status__in=ACTIVE_TASKS).update(
                status=CaseTask.Status.CANCELLED, completed_at=now
            )
            case_home_changed(case_ids=[case.pk])
            step_clear(case)
            case.stuck_at = None
            case.status = Case.Status.REJECTED
            case.concluded_at = now
            case.outcome_note = reason[:500]
            case.next_timer_at = None
            save_case(case, *STEP_FIELDS, "status", "concluded_at", "outcome_note", "next_timer_at")
            # the appointment's place goes back to other residents, as for any rejection
            bookings_release_for_case(case_id=case.pk, reason="case rejected", now=now)
            case_rating_expect(case, now=now, handled_by_id=user.pk)
            service = case.service_version.service
            event(
                case,
                "concluded",
                actor_label=service.department.name if service.department_id else "",
                message=str(Case.Status.REJECTED.label),
                data={"outcome": "rejected", "reason": case.outcome_note, "stuck": True},
                at=now,
            )
            audit_record(
                actor=who,
                action=action,
                target=case,
                changes={
                    "number": case.number,
                    "reason": case.outcome_note,
                    "error": error[:300],
                    "tasks_cancelled": cancelled,
                },
            )
            return case
    raise _refuse(actor=who, action=action, number=number)
