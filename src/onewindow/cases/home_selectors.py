"""Reads for the citizen page (re-exported by ``cases.selectors``): a person's or a
company's cases in progress with their next step, who holds them and the working-day
deadline, and the supplements the applicant is asked for. A fixed number of queries
whatever the number of cases: the page is read for every resident."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases.lookup_selectors import OPEN_STATUSES, cases_awaiting_payment
from onewindow.cases.models import Case, CaseTask
from onewindow.core.calendar import working_days_between

if TYPE_CHECKING:
    from onewindow.identity.models import User

ACTIVE_TASKS = (CaseTask.Status.OPEN, CaseTask.Status.CLAIMED, CaseTask.Status.WAITING)


@dataclass(frozen=True)
class CaseProgress:
    id: int
    number: str
    service_code: str
    service_name: str
    status: str
    status_label: str
    updated_at: datetime.datetime
    deadline: datetime.date | None
    working_days_left: int | None
    next_step: str  # in the applicant's words: what happens next, or what they must do
    holders: tuple[str, ...]  # the departments (or companies) holding its open steps
    applicant_must_act: bool  # a supplement, a fee, a consent waits for the applicant's side
    url: str


@dataclass(frozen=True)
class SupplementRequest:
    case_number: str
    service_name: str
    department: str
    reason: str
    asked_at: datetime.datetime
    url: str


RECENTLY_CONCLUDED = datetime.timedelta(days=30)
# The columns a case's line on the citizen page shows: never the form data or the process
# state (JSON that can be many kilobytes), which the page does not show.
_CASE_LINE = (
    "id",
    "number",
    "status",
    "step",
    "updated_at",
    "deadline",
    "service_version__service__code",
    "service_version__service__name",
    "service_version__service__name_en",
)


def _home_cases(*, user: User | None, company_id: int | None) -> QuerySet[Case]:
    """Open cases, drafts, and cases concluded in the last 30 days (their outcome is news)."""
    shown = (
        Q(status__in=OPEN_STATUSES)
        | Q(status=Case.Status.DRAFT)
        | Q(concluded_at__gte=timezone.now() - RECENTLY_CONCLUDED)
    )
    cases = Case.objects.filter(shown)
    if company_id is not None:
        return cases.filter(applicant_company_id=company_id)
    assert user is not None
    return cases.filter(created_by_id=user.pk, applicant_company__isnull=True)


def _days_left(due: datetime.date | None, today: datetime.date) -> int | None:
    return None if due is None else working_days_between(today, due, estimate=True)


def cases_in_progress(
    *, user: User | None = None, company_id: int | None = None, limit: int = 5
) -> tuple[list[CaseProgress], int]:
    """A resident's own cases (``user``; a company's are on its page), or a company's
    (``company_id``): open ones, drafts and those concluded in the last 30 days, the
    ``limit`` most recently changed, and how many there are. Four queries: the cases, the
    count, their open steps, whether any waits for a fee."""
    base = _home_cases(user=user, company_id=company_id)
    rows = list(
        base.select_related("service_version__service")
        .only(*_CASE_LINE)
        .order_by("-updated_at", "-pk")[:limit]
    )
    if not rows:
        return [], 0
    total = len(rows) if len(rows) < limit else base.count()
    ids = [case.pk for case in rows]
    tasks: dict[int, list[CaseTask]] = {}
    for task in (
        CaseTask.objects.filter(case_id__in=ids, status__in=ACTIVE_TASKS)
        .select_related("department", "company")
        .only("id", "case_id", "name", "company_id", "company__name", "department__name")
        .order_by("created_at", "pk")
    ):
        tasks.setdefault(task.case_id, []).append(task)
    paying = cases_awaiting_payment(case_ids=ids)
    today = timezone.localdate()
    out = []
    for case in rows:
        open_tasks = tasks.get(case.pk, [])
        holders = tuple(
            dict.fromkeys(
                str(t.company.name if t.company_id and t.company else t.department.name)
                for t in open_tasks
            )
        )
        must_act = case.status in (Case.Status.SUPPLEMENT, Case.Status.CONSENT)
        url = reverse("cases:case_detail", kwargs={"number": case.number}) if case.number else ""
        if case.status == Case.Status.DRAFT:
            next_step = _("继续填写申请")
            url = reverse("cases:draft_" + (case.step or "form"), kwargs={"case_id": case.pk})
        elif case.status not in OPEN_STATUSES:
            next_step = ""  # concluded: the outcome is on the case's page
        elif case.status == Case.Status.SUPPLEMENT:
            next_step = _("请补正材料")
        elif case.status == Case.Status.CONSENT:
            next_step = _("等待相关人授权")
        elif case.pk in paying:
            next_step, must_act = _("请缴纳费用"), True
        elif open_tasks:
            next_step = "、".join(dict.fromkeys(t.name for t in open_tasks))
        else:
            next_step = _("等待受理")
        out.append(
            CaseProgress(
                id=case.pk,
                number=case.number or "",
                service_code=case.service_version.service.code,
                service_name=case.service_version.service.display_name,
                status=case.status,
                status_label=str(case.get_status_display()),
                updated_at=case.updated_at,
                deadline=case.deadline if case.status in OPEN_STATUSES else None,
                working_days_left=(
                    _days_left(case.deadline, today) if case.status in OPEN_STATUSES else None
                ),
                next_step=next_step,
                holders=holders,
                applicant_must_act=must_act,
                url=url,
            )
        )
    return out, total


def supplement_requests_for(*, user: User, limit: int = 5) -> list[SupplementRequest]:
    """What the resident is asked to supplement (补正), oldest request first: one line per
    case in 待补正, with the department that asked and its words. Two queries."""
    cases = list(
        Case.objects.filter(created_by_id=user.pk, status=Case.Status.SUPPLEMENT)
        .select_related("service_version__service")
        .only(*_CASE_LINE)
        .order_by("updated_at", "pk")[:limit]
    )
    if not cases:
        return []
    asked: dict[int, CaseTask] = {}
    for task in (
        CaseTask.objects.filter(case_id__in=[c.pk for c in cases])
        .filter(
            Q(status=CaseTask.Status.WAITING)
            | Q(decision=CaseTask.Decision.SUPPLEMENT, status=CaseTask.Status.COMPLETED)
        )
        .select_related("department")
        .only(
            "id", "case_id", "status", "comment", "completed_at", "created_at", "department__name"
        )
        .order_by("completed_at", "pk")
    ):
        held = asked.get(task.case_id)
        if held is None or held.status != CaseTask.Status.WAITING:
            asked[task.case_id] = task
    out = []
    for case in cases:
        step = asked.get(case.pk)
        out.append(
            SupplementRequest(
                case_number=case.number or "",
                service_name=case.service_version.service.display_name,
                department=str(step.department.name) if step is not None else "",
                reason=(step.comment if step is not None else "") or "",
                asked_at=(step.completed_at or step.created_at) if step else case.updated_at,
                url=reverse("cases:case_supplement", kwargs={"number": case.number}),
            )
        )
    return out


@dataclass(frozen=True)
class ActionRequest:
    """Something another applicant's case asks of this resident or of a company they act
    for: a consent to a look-up of their records (相关人授权), a company's step (企业待办)."""

    kind: str  # consent | company_task
    title: str
    detail: str
    asked_at: datetime.datetime | None
    due_at: datetime.datetime | None
    url: str


def consent_requests_home(*, user: User, limit: int = 5) -> list[ActionRequest]:
    """The consent requests waiting for this resident, soonest to expire first (one query)."""
    from onewindow.cases.party_selectors import consent_requests_for, requester_name

    return [
        ActionRequest(
            kind="consent",
            title=_("%(name)s申请办理%(service)s，需要您授权")
            % {
                "name": requester_name(party),
                "service": party.case.service_version.service.display_name,
            },
            detail=str(party.label),
            asked_at=party.requested_at,
            due_at=party.expires_at,
            url=reverse("cases:consent_detail", kwargs={"party_id": party.pk}),
        )
        for party in consent_requests_for(user=user)[:limit]
    ]


def company_tasks_home(
    *, user: User, company_id: int | None = None, limit: int = 5
) -> list[ActionRequest]:
    """Open steps held by the companies the user acts for (or by one of them), oldest
    first (one query)."""
    from onewindow.cases.company_task_selectors import company_tasks_for_user

    tasks = (
        company_tasks_for_user(user=user)
        .select_related(None)
        .select_related("company", "case__service_version__service")
        .only(
            "id",
            "name",
            "created_at",
            "company__name",
            "case__service_version__service__name",
            "case__service_version__service__name_en",
        )
    )
    if company_id is not None:
        tasks = tasks.filter(company_id=company_id)
    return [
        ActionRequest(
            kind="company_task",
            title=f"{task.case.service_version.service.display_name}：{task.name}",
            detail=str(task.company.name) if task.company else "",
            asked_at=task.created_at,
            due_at=None,
            url=reverse("cases:company_task", kwargs={"task_id": task.pk}),
        )
        for task in tasks[:limit]
    ]


def company_service_codes_since(*, company_id: int, since: datetime.datetime) -> set[str]:
    """The services a company has applied for (submitted, not withdrawn) since ``since``:
    what its page's reminders (the annual report) ask. One query."""
    return set(
        Case.objects.filter(applicant_company_id=company_id, submitted_at__gte=since)
        .exclude(status=Case.Status.WITHDRAWN)
        .values_list("service_version__service__code", flat=True)
        .distinct()
    )
