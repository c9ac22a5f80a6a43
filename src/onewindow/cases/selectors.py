"""Reads for cases: the resident's cases and drafts, a case's progress (parallel branches by
department, timeline), and the staff inbox (read from the task table, never the engine)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# Whose citizen pages a case shows on (``cases.home_changes``).
from onewindow.cases.home_changes import case_home_audience as case_home_audience
from onewindow.cases.home_changes import case_home_changed as case_home_changed

# What the citizen page shows (``cases.home_selectors``).
from onewindow.cases.home_selectors import ActionRequest as ActionRequest
from onewindow.cases.home_selectors import CaseProgress as CaseProgress
from onewindow.cases.home_selectors import SupplementRequest as SupplementRequest
from onewindow.cases.home_selectors import cases_in_progress as cases_in_progress
from onewindow.cases.home_selectors import (
    company_service_codes_since as company_service_codes_since,
)
from onewindow.cases.home_selectors import company_tasks_home as company_tasks_home
from onewindow.cases.home_selectors import consent_requests_home as consent_requests_home
from onewindow.cases.home_selectors import supplement_requests_for as supplement_requests_for

# What the apps working for a case (payments, delivery) ask by its id or number.
from onewindow.cases.lookup_selectors import case_awaits_payment as case_awaits_payment
from onewindow.cases.lookup_selectors import case_id_for_number as case_id_for_number
from onewindow.cases.lookup_selectors import cases_awaiting_payment as cases_awaiting_payment
from onewindow.cases.models import Case, CaseEvent, CaseTask
from onewindow.core.calendar import working_days_between
from onewindow.core.masking import mask_name
from onewindow.identity.selectors import (
    department_ids_below,
    departments_by_ids,
    role_holders,
    roles_by_codes,
    staff_get,
    staff_permission_department_ids,
    staff_roles_held,
    staff_roles_of,
)

if TYPE_CHECKING:
    from onewindow.identity.models import User


@dataclass(frozen=True)
class RoleHeld:
    name: str
    department: str


@dataclass(frozen=True)
class WorkbenchHeader:
    name: str
    title: str
    department: str
    roles: list[RoleHeld] = field(default_factory=list)


@dataclass(frozen=True)
class InboxTask:
    case_reference: str
    service_name: str
    applicant: str  # already masked
    step: str
    working_days_left: int | None
    due_on: datetime.date | None
    url: str
    task_id: int = 0
    status: str = ""
    status_label: str = ""
    department: str = ""
    overdue: bool = False
    escalated: bool = False
    escalated_at: datetime.datetime | None = None
    claimed_by_me: bool = False
    claimed_by: str = ""


@dataclass(frozen=True)
class Branch:
    department: str
    steps: list[CaseTask]
    status: str  # "approved" | "rejected" | "waiting" | "working" | "cancelled"


def _localised(name: str, name_en: str) -> str:
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name


def working_days_left(
    due: datetime.date | None, *, today: datetime.date | None = None
) -> int | None:
    if due is None:
        return None
    return working_days_between(today or timezone.localdate(), due, estimate=True)


def workbench_header_for(*, user: User) -> WorkbenchHeader:
    """Name, department and roles of the staff member, for the workbench header."""
    name = str(user.display_name or user.get_full_name() or user.username)
    staff = staff_get(user_id=user.pk)
    if staff is None:
        return WorkbenchHeader(name=name, title="", department="")
    held = staff_roles_of(staff_id=staff.pk)
    roles = [
        RoleHeld(
            name=_localised(sr.role.name, sr.role.name_en),
            department=_localised(sr.department.name, sr.department.name_en),
        )
        for sr in held
    ]
    return WorkbenchHeader(
        name=name,
        title=staff.title,
        department=_localised(staff.department.name, staff.department.name_en),
        roles=roles,
    )


def staff_task_scope(user: User) -> Q | None:
    """Tasks the staff member may act on: their role in the task's department or a parent
    department of it. ``None`` when they hold no role."""
    by_role: dict[str, set[int]] = {}
    for role_code, department_id in staff_roles_held(user_id=user.pk):
        by_role.setdefault(role_code, set()).add(department_id)
    if not by_role:
        return None
    scope = Q(pk__in=[])
    for role_code, department_ids in by_role.items():
        scope |= Q(role_code=role_code, department_id__in=department_ids_below(department_ids))
    return scope


ACTIVE_TASK = (CaseTask.Status.OPEN, CaseTask.Status.CLAIMED, CaseTask.Status.WAITING)


def applicant_label(case: Case) -> str:
    if case.applicant_company_id:
        return case.applicant_company.name if case.applicant_company else ""
    person = case.applicant_person
    return mask_name(person.name) if person else ""


def inbox_tasks(
    *,
    user: User,
    status: str = "",
    service: str = "",
    overdue: bool = False,
    q: str = "",
    limit: int = 200,
) -> QuerySet[CaseTask]:
    scope = staff_task_scope(user)
    if scope is None:
        return CaseTask.objects.none()
    tasks = CaseTask.objects.filter(scope).select_related(
        "case",
        "case__service_version__service",
        "case__applicant_person",
        "case__applicant_company",
        "department",
        "claimed_by",
    )
    if status == "mine":
        tasks = tasks.filter(status=CaseTask.Status.CLAIMED, claimed_by_id=user.pk)
    elif status in {s.value for s in CaseTask.Status}:
        tasks = tasks.filter(status=status)
    else:
        tasks = tasks.filter(status__in=ACTIVE_TASK)
    if service:
        tasks = tasks.filter(case__service_version__service__code=service)
    if overdue:
        tasks = tasks.filter(
            Q(overdue=True) | Q(escalated=True) | Q(due_date__lt=timezone.localdate())
        )
    if q:
        tasks = tasks.filter(
            Q(case__number__icontains=q.strip())
            | Q(case__service_version__service__name__icontains=q.strip())
        )
    return tasks.order_by("-escalated", "due_date", "created_at")[:limit]


def inbox_for(*, user: User, **filters: Any) -> list[InboxTask]:
    """Open tasks the staff member may work on, most urgent first."""
    today = timezone.localdate()
    out = []
    for task in inbox_tasks(user=user, **filters):
        case = task.case
        due = task.due_date
        out.append(
            InboxTask(
                case_reference=case.number or "",
                service_name=case.service_version.service.display_name,
                applicant=applicant_label(case),
                step=task.name,
                working_days_left=working_days_left(due, today=today),
                due_on=due,
                url=reverse("cases:staff_task", kwargs={"task_id": task.pk}),
                task_id=task.pk,
                status=task.status,
                status_label=str(CaseTask.Status(task.status).label),
                department=task.department.name,
                overdue=task.overdue or bool(due and due < today),
                escalated=task.escalated,
                escalated_at=task.escalated_at,
                claimed_by_me=task.claimed_by_id == user.pk,
                claimed_by=(task.claimed_by.display_name or task.claimed_by.username)
                if task.claimed_by
                else "",
            )
        )
    return out


def inbox_services(*, user: User) -> list[tuple[str, str]]:
    scope = staff_task_scope(user)
    if scope is None:
        return []
    rows = (
        CaseTask.objects.filter(scope, status__in=ACTIVE_TASK)
        .values_list("case__service_version__service__code", "case__service_version__service__name")
        .distinct()
    )
    return sorted(set(rows))


# --- supervision (督办) ------------------------------------------------------------------------

SUPERVISE_PERMISSION = ("cases", "supervise_cases")


@dataclass(frozen=True)
class SupervisionCount:
    """Active tasks of one department or one service: all of them, those past their due
    date, and those escalated by a timer."""

    code: str
    name: str
    open: int = 0
    overdue: int = 0
    escalated: int = 0


@dataclass(frozen=True)
class SupervisedTask:
    case_reference: str
    service_name: str
    step: str
    department: str
    holder: str
    due_on: datetime.date | None
    days_overdue: int | None  # working days past the due date; None while not overdue
    escalated: bool
    escalated_at: datetime.datetime | None
    status_label: str


@dataclass(frozen=True)
class SupervisionOverview:
    departments: list[SupervisionCount]
    services: list[SupervisionCount]
    tasks: list[SupervisedTask]


def supervised_department_ids(user: User) -> set[int] | None:
    """Departments whose tasks ``user`` supervises: where a role of theirs grants
    ``cases.supervise_cases``, and every department below. None: all (a superuser)."""
    if getattr(user, "is_superuser", False):
        return None
    app_label, codename = SUPERVISE_PERMISSION
    roots = staff_permission_department_ids(user_id=user.pk, permission=f"{app_label}.{codename}")
    return department_ids_below(roots)


def _working_days_late(due: datetime.date, today: datetime.date) -> int:
    return working_days_between(due, today, estimate=True)  # past the data: Monday–Friday


def supervision_overview(
    *, user: User, today: datetime.date | None = None, limit: int = 200
) -> SupervisionOverview:
    """A department head's overview of the departments they supervise (and those below):
    active, overdue and escalated tasks per department and per service, and the escalated
    and overdue tasks themselves, escalated first, then by due date."""
    today = today or timezone.localdate()
    scope = supervised_department_ids(user)
    active = CaseTask.objects.filter(status__in=ACTIVE_TASK)
    if scope is not None:
        active = active.filter(department_id__in=scope)
    late = Q(overdue=True) | Q(due_date__lt=today)
    counts = {
        "open": Count("pk"),
        "overdue": Count("pk", filter=late),
        "escalated": Count("pk", filter=Q(escalated=True)),
    }
    by_department = {
        row["department_id"]: row for row in active.values("department_id").annotate(**counts)
    }
    wanted = set(by_department) | (scope or set())
    departments = [
        SupervisionCount(
            code=dept.code,
            name=_localised(dept.name, dept.name_en),
            open=by_department.get(dept.pk, {}).get("open", 0),
            overdue=by_department.get(dept.pk, {}).get("overdue", 0),
            escalated=by_department.get(dept.pk, {}).get("escalated", 0),
        )
        for dept in departments_by_ids(ids=wanted)
    ]
    service_code = "case__service_version__service__code"
    service_name = "case__service_version__service__name"
    service_name_en = "case__service_version__service__name_en"
    services = [
        SupervisionCount(
            code=row[service_code],
            name=_localised(row[service_name], row[service_name_en]),
            open=row["open"],
            overdue=row["overdue"],
            escalated=row["escalated"],
        )
        for row in active.values(service_code, service_name, service_name_en)
        .annotate(**counts)
        .order_by(service_code)
    ]
    rows = list(
        active.filter(late | Q(escalated=True))
        .select_related("case__service_version__service", "department", "claimed_by")
        .order_by("-escalated", "due_date", "created_at")[:limit]
    )
    role_names = {
        code: _localised(role.name, role.name_en)
        for code, role in roles_by_codes(codes={row.role_code for row in rows}).items()
    }
    tasks = []
    for task in rows:
        due = task.due_date
        if task.claimed_by is not None:
            holder = task.claimed_by.display_name or task.claimed_by.username
        else:
            holder = _("待认领（%(role)s）") % {
                "role": role_names.get(task.role_code, task.role_code)
            }
        days_overdue = _working_days_late(due, today) if due and due < today else None
        if days_overdue is None and task.overdue:
            days_overdue = 0
        tasks.append(
            SupervisedTask(
                case_reference=task.case.number or "",
                service_name=task.case.service_version.service.display_name,
                step=task.name,
                department=_localised(task.department.name, task.department.name_en),
                holder=holder,
                due_on=due,
                days_overdue=days_overdue,
                escalated=task.escalated,
                escalated_at=task.escalated_at,
                status_label=str(CaseTask.Status(task.status).label),
            )
        )
    return SupervisionOverview(departments=departments, services=services, tasks=tasks)


# --- use of services ----------------------------------------------------------------------


def case_counts_by_service(*, since: datetime.datetime | None = None) -> dict[str, int]:
    """How many cases were submitted under each service (by code), drafts not counted: how
    much each service is used, for the public page's popular services."""
    cases = Case.objects.exclude(submitted_at__isnull=True)
    if since is not None:
        cases = cases.filter(submitted_at__gte=since)
    rows = cases.values("service_version__service__code").annotate(n=Count("pk"))
    return {row["service_version__service__code"]: row["n"] for row in rows}


# --- residents -----------------------------------------------------------------------------


def _acting(cases: QuerySet[Case], user: User) -> QuerySet[Case]:
    """The user's cases without those of companies they no longer act for (the legal
    representative revoked their authorisation, or its last day passed)."""
    from onewindow.identity.selectors import company_ids_for_person, person_for_user

    person = person_for_user(user)
    ids = company_ids_for_person(person_id=person.pk) if person is not None else set()
    return cases.filter(Q(applicant_company__isnull=True) | Q(applicant_company_id__in=ids))


def cases_for_user(*, user: User, include_drafts: bool = True) -> QuerySet[Case]:
    cases = _acting(Case.objects.filter(created_by_id=user.pk), user).select_related(
        "service_version__service", "applicant_company"
    )
    if not include_drafts:
        cases = cases.exclude(status=Case.Status.DRAFT)
    return cases.order_by("-updated_at")


def case_for_user(*, user: User, number: str) -> Case | None:
    return (
        _acting(Case.objects.filter(created_by_id=user.pk, number=number), user)
        .select_related(
            "service_version__service__department", "applicant_company", "applicant_person"
        )
        .first()
    )


def draft_for_user(*, user: User, case_id: int) -> Case | None:
    return (
        _acting(
            Case.objects.filter(created_by_id=user.pk, pk=case_id, status=Case.Status.DRAFT),
            user,
        )
        .select_related("service_version__service", "applicant_company")
        .first()
    )


def submitted_case_for_user(*, user: User, case_id: int) -> Case | None:
    """The user's own application by its draft id, once it is no longer a draft."""
    return (
        Case.objects.filter(created_by_id=user.pk, pk=case_id)
        .exclude(status=Case.Status.DRAFT)
        .only("pk", "number", "status")
        .first()
    )


def case_withdrawal(case: Case) -> CaseEvent | None:
    """The timeline entry of a withdrawn case's withdrawal (who withdrew it, and when)."""
    if case.status != Case.Status.WITHDRAWN:
        return None
    return case.events.filter(kind="withdrawn").order_by("-at", "-pk").first()


def case_branches(case: Case) -> list[Branch]:
    """The case's tasks grouped by department, in the order the departments joined: the
    parallel approval (各部门并联审批) at a glance. A company's step (the employer's) is a
    branch of that company."""
    tasks = list(case.tasks.select_related("department", "company").order_by("created_at", "pk"))
    groups: dict[tuple[str, int], list[CaseTask]] = {}
    names: dict[tuple[str, int], str] = {}
    for task in tasks:
        key = ("company", task.company_id) if task.company_id else ("dept", task.department_id)
        groups.setdefault(key, []).append(task)
        names[key] = task.company.name if task.company else task.department.name
    branches = []
    for dept_id, steps in groups.items():
        statuses = {t.status for t in steps}
        decisions = {t.decision for t in steps if t.status == CaseTask.Status.COMPLETED}
        if CaseTask.Status.WAITING in statuses:
            status = "waiting"
        elif statuses & {CaseTask.Status.OPEN, CaseTask.Status.CLAIMED}:
            status = "working"
        elif "reject" in decisions:
            status = "rejected"
        elif decisions:
            status = "approved"
        else:
            status = "cancelled"
        branches.append(Branch(department=names[dept_id], steps=steps, status=status))
    return branches


def case_timeline(case: Case, *, public_only: bool) -> QuerySet[CaseEvent]:
    events = case.events.all()
    if public_only:
        events = events.filter(public=True)
    return events.order_by("at", "pk")


def open_supplement_requests(case: Case) -> list[CaseTask]:
    """The staff requests a case in 待补正 answers: tasks waiting for the applicant, or (when
    the process itself routes supplements to the applicant) the step that asked last."""
    if case.status != Case.Status.SUPPLEMENT:
        return []
    waiting = list(case.tasks.filter(status=CaseTask.Status.WAITING).select_related("department"))
    if waiting:
        return waiting
    last = (
        case.tasks.filter(decision=CaseTask.Decision.SUPPLEMENT, status=CaseTask.Status.COMPLETED)
        .select_related("department")
        .order_by("-completed_at", "-pk")
        .first()
    )
    return [last] if last else []


def staff_case_visible(*, user: User, case: Case) -> bool:
    """A staff member sees a case one of their roles has a task in, or one of whose
    departments (the service's, or a task's) they supervise (``cases.supervise_cases``:
    the supervision overview and 停滞办件 link to the case)."""
    scope = staff_task_scope(user)
    if scope is None:
        return False
    if case.tasks.filter(scope).exists():
        return True
    supervised = supervised_department_ids(user)
    if supervised is None:
        return True
    if not supervised:
        return False
    if case.service_version.service.department_id in supervised:
        return True
    return case.tasks.filter(department_id__in=supervised).exists()


def task_for_staff(*, user: User, task_id: int) -> CaseTask | None:
    scope = staff_task_scope(user)
    if scope is None:
        return None
    return (
        CaseTask.objects.filter(scope, pk=task_id)
        .select_related("case__service_version__service", "department", "claimed_by")
        .first()
    )


def transfer_candidates(*, task: CaseTask, exclude_user_id: int) -> list[tuple[int, str]]:
    chain = [task.department_id] + [d.pk for d in task.department.ancestors()]
    holders = role_holders(
        role_code=task.role_code, department_ids=chain, exclude_user_id=exclude_user_id
    )
    return [(user.pk, user.display_name or user.username) for user in holders]
