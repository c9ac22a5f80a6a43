"""Throughput guard: the number of SQL statements of one submission and one task completion
on the benchmark's 3-way parallel service (bench/cases_bench.py). The budgets below include
the SAVEPOINT/RELEASE pair the test transaction adds around each use case; they cover the
per-case lock, the lock_version check and the audit row. A one-call submission inserts its
case once, already submitted, numbers it last, and looks its Idempotency-Key up only when the
insert finds it taken."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, cast

import pytest
from django.db import connection

from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, CaseTask
from onewindow.cases.services import TaskNotFound
from onewindow.catalog.versions import departments_by_code, service_version_cached
from onewindow.identity.models import Department, Person, StaffRole, User
from onewindow.testing.cases import ANSWERS, PARALLEL_PLAIN_BPMN, definition, publish
from onewindow.testing.factories import DepartmentFactory, RoleFactory, StaffFactory, user_of

# Per database: SQLite writes the audit row and the chain head in two statements where
# PostgreSQL uses one, and numbers an inserted case with two where PostgreSQL uses one.
# was 24, then 13 on both; then 4 more for the citizen page's version of the people the case
# concerns (the case's people, its parties, their accounts, the version's upsert), once per
# transaction however many rows of the case it writes
SUBMIT_MAX = {"postgresql": 14, "sqlite": 16}
# accept: opens the three parallel approvals; was 27, then 13 on both
FIRST_COMPLETION_MAX = {"postgresql": 11, "sqlite": 12}
PARALLEL_COMPLETION_MAX = {"postgresql": 10, "sqlite": 11}  # one of the three; was 18, then 11


def budget(per_vendor: dict[str, int]) -> int:
    return per_vendor[connection.vendor]


pytestmark = pytest.mark.django_db


@pytest.fixture
def bench_service(city: None, tmp_path: Path) -> str:
    publish(
        tmp_path, service=definition(code="bench-parallel", materials=[]), bpmn=PARALLEL_PLAIN_BPMN
    )
    return "bench-parallel"


def holder(task: CaseTask) -> User:
    role = StaffRole.objects.filter(department=task.department, role__code=task.role_code).first()
    assert role is not None
    return role.staff.user


def submit(resident: Person, code: str, key: str) -> Case:
    case, created = services.case_create_and_submit(
        user=user_of(resident), service_code=code, form_data=ANSWERS, idempotency_key=key
    )
    assert created
    return case


def test_one_submission_stays_within_its_query_budget(
    bench_service: str, resident: Person, django_assert_max_num_queries: Any
) -> None:
    submit(resident, bench_service, "warm-up")
    with django_assert_max_num_queries(budget(SUBMIT_MAX)):
        case = submit(resident, bench_service, "measured")
    case = Case.objects.get(pk=case.pk)
    assert case.status == Case.Status.IN_PROGRESS and case.lock_version == 0  # one INSERT
    assert list(case.tasks.values_list("element_id", "status")) == [("accept", "open")]
    assert list(case.events.values_list("kind", flat=True)) == ["submitted", "task_opened"]
    # numbered last, in place: the row, the timeline and the day's sequence agree
    first = Case.objects.exclude(pk=case.pk).get()
    assert case.number and int(case.number[-5:]) == int(str(first.number)[-5:]) + 1
    assert case.number in case.events.get(kind="submitted").message


def test_task_completions_stay_within_their_query_budget(
    bench_service: str, resident: Person, django_assert_max_num_queries: Any
) -> None:
    case = submit(resident, bench_service, "k")
    accept = case.tasks.get(element_id="accept")
    clerk = holder(accept)
    # A worker reads a published version and the departments its tasks go to once
    # (catalog.versions); the budget is per step after.
    service_version_cached(case.service_version_id)
    departments_by_code({"gz-rsj", "gz-jyj", "gz-gaj"})
    with django_assert_max_num_queries(budget(FIRST_COMPLETION_MAX)):
        services.task_complete(user=clerk, task_id=accept.pk, decision="approve")
    opened = {t.element_id: t for t in case.tasks.filter(status=CaseTask.Status.OPEN)}
    assert set(opened) == {"hr", "edu", "police"}
    assert {t.department.code for t in opened.values()} == {"gz-rsj", "gz-jyj", "gz-gaj"}

    hr = opened["hr"]
    approver = holder(hr)
    with django_assert_max_num_queries(budget(PARALLEL_COMPLETION_MAX)):
        services.task_complete(user=approver, task_id=hr.pk, decision="approve")
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["submitted", "task_opened", "task_approved"] + ["task_opened"] * 3 + [
        "task_approved"
    ]
    for element in ("edu", "police"):
        task = opened[element]
        services.task_complete(user=holder(task), task_id=task.pk, decision="approve")
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    assert not case.tasks.filter(status__in=["open", "claimed", "waiting"]).exists()


def test_the_role_counts_in_the_tasks_department_and_every_department_above_it(
    bench_service: str, resident: Person
) -> None:
    """The role check folded into the task read covers three levels; deeper chains fall
    back to walking the whole chain. Other departments and other roles stay refused."""
    case = submit(resident, bench_service, "chain")
    task = case.tasks.get(element_id="accept")
    chain: list[Any] = [DepartmentFactory(code=f"chain-{n}") for n in range(5)]
    for child, parent in itertools.pairwise(chain):
        Department.objects.filter(pk=child.pk).update(parent=parent)
    CaseTask.objects.filter(pk=task.pk).update(department=chain[0])
    role: Any = RoleFactory(code=task.role_code)

    def staff_with(role: Any, department: Any) -> User:
        member: Any = StaffFactory(department=department)
        StaffRole.objects.create(staff=member, role=role, department=department)
        return cast(User, member.user)

    for level, department in enumerate(chain):
        user = staff_with(role, department)
        claimed = services.task_claim(user=user, task_id=task.pk)
        assert claimed.claimed_by_id == user.pk, level
        services.task_unclaim(user=user, task_id=task.pk)

    for outsider in (
        staff_with(role, DepartmentFactory(code="elsewhere")),
        staff_with(RoleFactory(code="someone-else"), chain[0]),
    ):
        with pytest.raises(TaskNotFound):  # as an unknown task (no enumeration)
            services.task_claim(user=outsider, task_id=task.pk)
    assert CaseTask.objects.get(pk=task.pk).status == CaseTask.Status.OPEN
