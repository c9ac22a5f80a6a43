"""A task held by a company (``company:<question>``): in the graduate employment express the
employer the graduate names confirms it takes them on, through its legal representative or an
authorised agent — not a civil servant ticking a register look-up."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.cases.audit_events import COMPANY_TASK_APPROVE
from onewindow.cases.company_task_selectors import company_tasks_for_user
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.selectors import case_branches
from onewindow.cases.services import TaskNotFound, task_complete
from onewindow.cases.services.company_tasks import company_task_complete
from onewindow.catalog.services import service_packages_import
from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import uscc_make
from onewindow.identity.models import CompanyAgent
from onewindow.identity.services import (
    company_agent_accept,
    company_agent_grant,
    company_agent_revoke,
)
from onewindow.notify.models import Message
from onewindow.testing.demo_packages import (
    approve_as_holder,
    catalog_dir,
    run_to_the_end,
    submit_package,
)
from onewindow.testing.factories import CompanyFactory, PersonFactory

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


@pytest.fixture
def graduate_version(city: None) -> Any:
    return service_packages_import(
        actor=ACTOR, paths=[catalog_dir() / "graduate-employment-express"]
    )[0]


@pytest.fixture
def employer() -> Any:
    rep: Any = PersonFactory(name="陈嘉欣")
    company: Any = CompanyFactory(name="广州嘉欣商贸有限公司", legal_representative="陈嘉欣")
    CompanyAgent.objects.create(
        company=company, person=rep, role=CompanyAgent.Role.LEGAL_REPRESENTATIVE
    )
    agent: Any = PersonFactory(name="李志明")
    grant = company_agent_grant(
        actor=ACTOR,
        representative=rep,
        company=company,
        agent_name="李志明",
        agent_id_number=agent.id_number,
        valid_until=timezone.localdate() + datetime.timedelta(days=60),
    )
    company_agent_accept(actor=ACTOR, agent=agent, grant_id=grant.pk)
    return company, rep, agent, grant


def _at_employer(resident: Any, version: Any, uscc: str) -> tuple[Case, CaseTask]:
    case = submit_package(resident, version, answers={"employer_uscc": uscc})
    approve_as_holder(case.tasks.get(element_id="Task_Register"))
    task = case.tasks.get(element_id="Task_Employer")
    return Case.objects.get(pk=case.pk), task


def _answer(user: Any, task: CaseTask, decision: str = "approve", comment: str = "") -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        company_task_complete(user=user, task_id=task.pk, decision=decision, comment=comment)


def test_the_employer_task_goes_to_the_company_the_graduate_names(
    resident, graduate_version, employer
):
    company, rep, agent, _grant = employer
    case, task = _at_employer(resident, graduate_version, company.uscc)

    assert (task.name, task.company_id, task.role_code) == (
        "用人单位确认接收",
        company.pk,
        "company",
    )
    assert task.department.code == "gz-rsj"
    for person in (rep, agent):  # both may act for the company, and both are told
        assert [t.pk for t in company_tasks_for_user(user=person.user)] == [task.pk]
        told = Message.objects.get(recipient=person.user, kind="company_task")
        assert "广州嘉欣商贸有限公司有一项待办：用人单位确认接收" in told.body
    assert list(company_tasks_for_user(user=resident.user)) == []

    branches = [(b.department, b.status) for b in case_branches(case)]
    assert branches == [
        ("广州市人力资源和社会保障局", "approved"),
        ("广州嘉欣商贸有限公司", "working"),
    ]

    _answer(agent.user, task)

    task.refresh_from_db()
    assert (task.status, task.completed_by_id) == ("completed", agent.user.pk)
    assert case.tasks.filter(element_id="Task_Approve", status="open").exists()
    entry = case.events.get(kind="task_approved", task=task)
    assert (entry.actor_label, entry.message) == (
        "广州嘉欣商贸有限公司",
        "广州嘉欣商贸有限公司 已确认：用人单位确认接收",
    )
    assert AuditEvent.objects.filter(action=COMPANY_TASK_APPROVE, target_id=str(task.pk)).exists()
    assert run_to_the_end(case).status == Case.Status.APPROVED


def test_the_employer_declines_with_a_reason_and_the_case_ends(
    resident, graduate_version, employer
):
    company, rep, _agent, _grant = employer
    case, task = _at_employer(resident, graduate_version, company.uscc)

    with pytest.raises(ValidationFailed, match="请填写不同意的理由。"):
        _answer(rep.user, task, "reject")
    _answer(rep.user, task, "reject", "该毕业生未与本单位签订劳动合同")

    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED
    assert case.outcome_note == "该毕业生未与本单位签订劳动合同"


def test_nobody_else_answers_for_the_company(resident, graduate_version, employer, staff):
    company, rep, agent, grant = employer
    _case, task = _at_employer(resident, graduate_version, company.uscc)
    stranger: Any = PersonFactory()

    with pytest.raises(TaskNotFound):
        _answer(stranger.user, task)
    with pytest.raises(TaskNotFound):  # not a department's task: the window clerk cannot
        task_complete(user=staff("rsj_clerk"), task_id=task.pk, decision="approve")
    company_agent_revoke(actor=ACTOR, representative=rep, grant_id=grant.pk)
    with pytest.raises(TaskNotFound):  # revoked: no longer the company's agent
        _answer(agent.user, task)
    assert list(company_tasks_for_user(user=agent.user)) == []


def test_an_employer_not_on_the_platform_is_checked_by_the_department(resident, graduate_version):
    unknown = uscc_make("91440101MA9999999")  # a valid code no company here has
    _case, task = _at_employer(resident, graduate_version, unknown)

    assert task.company_id is None
    assert (task.department.code, task.role_code) == ("gz-rsj", "window_clerk")
