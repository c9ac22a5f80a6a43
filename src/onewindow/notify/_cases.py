"""What the notification service reads of a case and its tasks, as frozen values.

The cases app has no read by id for a system reader (its selectors answer for a signed-in
user), so these few reads are kept here, in one place, the way the other engine actions
(licences, delivery) read the case they act for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CaseFacts:
    case_id: int
    number: str
    service_code: str
    service_name: str
    department_code: str  # the service's owning department
    created_by_id: int  # the account that applied (a company's agent for its cases)
    applicant_person_id: int | None
    applicant_company_id: int | None
    outcome_note: str  # the reason of a rejection


@dataclass(frozen=True)
class TaskFacts:
    task_id: int
    name: str
    department_code: str
    department_name: str
    role_code: str
    claimed_by_id: int | None
    active: bool


def case_facts(case_id: int) -> CaseFacts | None:
    from onewindow.cases.models import Case

    row = (
        Case.objects.filter(pk=case_id)
        .values(
            "number",
            "service_version__service__code",
            "service_version__service__name",
            "service_version__service__department__code",
            "created_by_id",
            "applicant_person_id",
            "applicant_company_id",
            "outcome_note",
        )
        .first()
    )
    if row is None:
        return None
    return CaseFacts(
        case_id=case_id,
        number=row["number"] or "",
        service_code=row["service_version__service__code"],
        service_name=row["service_version__service__name"],
        department_code=row["service_version__service__department__code"] or "",
        created_by_id=row["created_by_id"],
        applicant_person_id=row["applicant_person_id"],
        applicant_company_id=row["applicant_company_id"],
        outcome_note=row["outcome_note"] or "",
    )


def _task_values(tasks: Any) -> list[TaskFacts]:
    from onewindow.cases.models import CaseTask

    active = {CaseTask.Status.OPEN, CaseTask.Status.CLAIMED, CaseTask.Status.WAITING}
    rows = tasks.values(
        "pk",
        "name",
        "department__code",
        "department__name",
        "role_code",
        "claimed_by_id",
        "status",
    )
    return [
        TaskFacts(
            task_id=row["pk"],
            name=row["name"],
            department_code=row["department__code"],
            department_name=row["department__name"],
            role_code=row["role_code"],
            claimed_by_id=row["claimed_by_id"],
            active=row["status"] in active,
        )
        for row in rows
    ]


def task_facts(task_id: int) -> TaskFacts | None:
    from onewindow.cases.models import CaseTask

    found = _task_values(CaseTask.objects.filter(pk=task_id))
    return found[0] if found else None


def escalated_tasks(case_id: int) -> list[TaskFacts]:
    """The case's active tasks flagged as escalated (for news that names no task)."""
    from onewindow.cases.models import CaseTask

    rows = CaseTask.objects.filter(case_id=case_id, escalated=True).order_by("pk")
    return [task for task in _task_values(rows) if task.active]


def group_target(case_id: int, group: str) -> tuple[str, str] | None:
    """A candidate group of the case's process (a role name of its package's ``roles:``, or
    ``<department>:<role>``) → (department code, role code)."""
    from onewindow.cases.models import Case

    definition = (
        Case.objects.filter(pk=case_id)
        .values_list("service_version__definition", flat=True)
        .first()
    )
    target = ((definition or {}).get("roles") or {}).get(group)
    if isinstance(target, dict) and target.get("department") and target.get("role"):
        return str(target["department"]), str(target["role"])
    if ":" in group:
        department, role = group.split(":", 1)
        if department and role:
            return department, role
    return None
