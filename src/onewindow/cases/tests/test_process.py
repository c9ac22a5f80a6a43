"""Cases through their process: three departments approve in parallel, one rejection ends
the case, supplements go back to the applicant and return, withdrawal, version pinning,
timer escalation with a frozen clock, and who may act on which task."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import TestCase

from onewindow.cases import services
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.selectors import case_branches, inbox_for
from onewindow.core.errors import ApplicationError, Conflict, ValidationFailed
from onewindow.ratings.models import Rating, Subject
from onewindow.ratings.services import rating_submit
from onewindow.testing.applying import act, apply
from onewindow.testing.cases import TIMER_BPMN, definition, publish

pytestmark = pytest.mark.django_db

CODE = "grad-employment-test"


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def _through_accept(staff: Any, resident: Any) -> Case:
    case = apply(resident.user, CODE)
    act(staff("rsj_clerk"), case, "accept")
    return _fresh(case)


def test_three_departments_approve_in_parallel_to_the_outcome(parallel_service, resident, staff):
    case = _through_accept(staff, resident)
    open_rows = case.tasks.filter(status=CaseTask.Status.OPEN)
    assert {(t.element_id, t.department.code, t.role_code) for t in open_rows} == {
        ("hr", "gz-rsj", "approver"),
        ("edu", "gz-jyj", "approver"),
        ("police", "gz-gaj", "approver"),
    }
    # Each department sees its own task in its inbox, and only that one.
    for username, element in (
        ("rsj_approver", "hr"),
        ("jyj_approver", "edu"),
        ("gaj_approver", "police"),
    ):
        inbox = inbox_for(user=staff(username))
        assert [t.case_reference for t in inbox] == [case.number]
        assert inbox[0].step == case.tasks.get(element_id=element).name
    assert len(case_branches(case)) == 3  # one branch per department
    act(staff("jyj_approver"), case, "edu")
    act(staff("gaj_approver"), case, "police")
    assert _fresh(case).status == Case.Status.IN_PROGRESS
    act(staff("rsj_approver"), case, "hr")
    case = _fresh(case)
    assert case.status == Case.Status.APPROVED
    assert case.concluded_at is not None
    assert not case.tasks.filter(status__in=["open", "claimed"]).exists()
    assert case.events.filter(kind="concluded").exists()
    # the concluded case is ratable (好差评), by its applicant, once
    subject = Subject.objects.get(kind="case", ref=str(case.pk))
    assert (subject.number, subject.rater, subject.handled_by, subject.channel) == (
        case.number,
        resident.user,
        staff("rsj_approver"),
        "online",
    )
    assert subject.department == case.service_version.service.department
    assert subject.link == f"/cases/{case.number}/"
    five = {"efficiency": 5, "guide": 5, "convenience": 5, "usability": 5}
    rating = rating_submit(
        user=resident.user, subject_id=subject.pk, level=5, dimensions=five, text="很快"
    )
    assert (rating.level, rating.dimensions["overall"], rating.text) == (5, 5, "很快")
    with pytest.raises(Conflict):
        rating_submit(user=resident.user, subject_id=subject.pk, level=1, dimensions=five)
    assert Rating.objects.count() == 1


def test_a_rejection_in_one_branch_ends_the_case(parallel_service, resident, staff):
    case = _through_accept(staff, resident)
    act(staff("rsj_approver"), case, "hr")
    with pytest.raises(ValidationFailed):  # a reason is required
        act(staff("gaj_approver"), case, "police", decision="reject")
    act(staff("gaj_approver"), case, "police", decision="reject", comment="户籍材料不符")
    case = _fresh(case)
    assert case.status == Case.Status.REJECTED
    assert case.outcome_note == "户籍材料不符"
    edu = case.tasks.get(element_id="edu")
    assert edu.status == CaseTask.Status.CANCELLED
    assert inbox_for(user=staff("jyj_approver")) == []
    with pytest.raises(ApplicationError) as caught:
        services.task_complete(user=staff("jyj_approver"), task_id=edu.pk, decision="approve")
    assert caught.value.status == 409


def test_supplement_goes_to_the_applicant_and_the_task_comes_back(
    parallel_service, resident, staff
):
    case = _through_accept(staff, resident)
    hr = case.tasks.get(element_id="hr")
    services.task_claim(user=staff("rsj_approver"), task_id=hr.pk)
    with pytest.raises(ValidationFailed):
        services.task_complete(user=staff("rsj_approver"), task_id=hr.pk, decision="supplement")
    services.task_complete(
        user=staff("rsj_approver"), task_id=hr.pk, decision="supplement", comment="请补充学位证"
    )
    case = _fresh(case)
    assert case.status == Case.Status.SUPPLEMENT
    hr.refresh_from_db()
    assert hr.status == CaseTask.Status.WAITING
    # Other departments carry on meanwhile.
    act(staff("jyj_approver"), case, "edu")
    assert _fresh(case).status == Case.Status.SUPPLEMENT
    with pytest.raises(Conflict):
        services.task_complete(user=staff("rsj_approver"), task_id=hr.pk, decision="approve")
    data = {**case.form_data, "graduation_date": "2026-06-30"}
    services.case_supplement_submit(user=resident.user, case_id=case.pk, form_data=data)
    case = _fresh(case)
    assert case.status == Case.Status.IN_PROGRESS
    assert case.form_data["graduation_date"] == "2026-06-30"
    hr.refresh_from_db()
    assert hr.status == CaseTask.Status.CLAIMED and hr.claimed_by == staff("rsj_approver")
    act(staff("rsj_approver"), case, "hr")
    act(staff("gaj_approver"), case, "police")
    assert _fresh(case).status == Case.Status.APPROVED


def test_default_process_routes_supplements_through_the_applicant(city, tmp_path, resident, staff):
    publish(tmp_path, service=definition(code="default-test"), bpmn=None)
    case = apply(resident.user, "default-test")
    accept = case.tasks.get()
    assert accept.department.code == "gz-rsj" and accept.role_code == "window_clerk"
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.task_complete(
            user=staff("rsj_clerk"), task_id=accept.pk, decision="supplement", comment="照片不清晰"
        )
    case = _fresh(case)
    assert case.status == Case.Status.SUPPLEMENT
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.case_supplement_submit(user=resident.user, case_id=case.pk)
    case = _fresh(case)
    assert case.status == Case.Status.IN_PROGRESS
    # the acceptance comes back to the clerk who asked for the corrections (keep_holder)
    again = case.tasks.exclude(pk=accept.pk).get(element_id="accept")
    assert (again.status, again.claimed_by) == (CaseTask.Status.CLAIMED, staff("rsj_clerk"))


def test_withdrawal_cancels_every_open_task(parallel_service, resident, staff):
    case = _through_accept(staff, resident)
    services.case_withdraw(user=resident.user, case_id=case.pk, reason="不需要了")
    case = _fresh(case)
    assert case.status == Case.Status.WITHDRAWN
    assert not case.tasks.filter(status__in=["open", "claimed", "waiting"]).exists()
    with pytest.raises(Conflict):
        services.case_withdraw(user=resident.user, case_id=case.pk)
    assert not Subject.objects.filter(kind="case", ref=str(case.pk)).exists()  # not rated


def test_a_running_case_finishes_on_its_own_version(parallel_service, resident, staff, tmp_path):
    case = _through_accept(staff, resident)
    # v2: a one-department default process.
    v2 = publish(
        tmp_path,
        service=definition(time_limit={"statutory_days": 5, "promised_days": 3}),
        bpmn=None,
    )
    assert v2.number == parallel_service.number + 1
    assert _fresh(case).service_version == parallel_service
    for username, element in (
        ("rsj_approver", "hr"),
        ("jyj_approver", "edu"),
        ("gaj_approver", "police"),
    ):
        act(staff(username), case, element)
    assert _fresh(case).status == Case.Status.APPROVED
    new_case = apply(resident.user, CODE)
    assert new_case.service_version == v2
    assert new_case.tasks.get().element_id == "accept"


def test_a_timer_escalates_with_a_frozen_clock(city, tmp_path, resident, staff):
    publish(tmp_path, service=definition(code="timer-test"), bpmn=TIMER_BPMN)
    start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)  # a Monday
    with time_machine.travel(start, tick=False):
        case = apply(resident.user, "timer-test")
    case = _fresh(case)
    assert case.next_timer_at is not None
    assert case.next_timer_at == start + datetime.timedelta(days=2)
    with time_machine.travel(start + datetime.timedelta(days=1), tick=False):
        assert services.cases_sla_sweep()["advanced"] == 0
    with time_machine.travel(start + datetime.timedelta(days=2, minutes=1), tick=False):
        result = services.cases_sla_sweep()
    assert result["advanced"] == 1
    case = _fresh(case)
    approve = case.tasks.get(element_id="approve")
    escalate = case.tasks.get(element_id="escalate")
    assert approve.status == CaseTask.Status.CANCELLED
    assert escalate.escalated and escalate.role_code == "dept_admin"
    assert case.events.filter(kind="escalated").exists()
    inbox = inbox_for(user=staff("rsj_admin"))
    assert [t.escalated for t in inbox] == [True]


def test_overdue_tasks_are_flagged(parallel_service, resident, staff):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)):
        case = apply(resident.user, CODE)
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)):
        assert services.cases_sla_sweep()["overdue"] == 1
        inbox = inbox_for(user=staff("rsj_clerk"))
    assert inbox[0].overdue and (inbox[0].working_days_left or 0) < 0
    assert case.tasks.get().overdue is True


def test_only_the_task_department_role_may_act(parallel_service, resident, staff):
    case = _through_accept(staff, resident)
    police = case.tasks.get(element_id="police")
    for user in (staff("rsj_approver"), staff("gaj_clerk"), resident.user):
        with pytest.raises(ApplicationError) as caught:
            services.task_complete(user=user, task_id=police.pk, decision="approve")
        # Answered like an unknown task: ids of other departments' tasks cannot be probed.
        assert (caught.value.status, caught.value.code) == (404, "task_not_found")
    with pytest.raises(ApplicationError) as caught:
        services.task_complete(user=staff("gaj_approver"), task_id=999_999, decision="approve")
    assert caught.value.status == 404
    police.refresh_from_db()
    assert police.status == CaseTask.Status.OPEN
    act(staff("gaj_approver"), case, "police")
    with pytest.raises(Conflict):  # approving twice
        services.task_complete(user=staff("gaj_approver"), task_id=police.pk, decision="approve")


def test_claim_transfer_and_bulk(parallel_service, resident, staff):
    from onewindow.identity.models import Role, Staff, StaffRole
    from onewindow.testing.factories import StaffFactory

    case = _through_accept(staff, resident)
    hr = case.tasks.get(element_id="hr")
    approver = staff("rsj_approver")
    colleague: Any = StaffFactory(department=Staff.objects.get(user=approver).department)
    StaffRole.objects.create(
        staff=colleague, role=Role.objects.get(code="approver"), department=colleague.department
    )
    services.task_claim(user=approver, task_id=hr.pk)
    with pytest.raises(Conflict):
        services.task_claim(user=colleague.user, task_id=hr.pk)
    with pytest.raises(ValidationFailed):
        services.task_transfer(user=approver, task_id=hr.pk, to_user_id=staff("gaj_approver").pk)
    services.task_transfer(user=approver, task_id=hr.pk, to_user_id=colleague.user.pk)
    hr.refresh_from_db()
    assert hr.claimed_by == colleague.user
    services.task_comment(user=colleague.user, task_id=hr.pk, comment="已核对")
    assert case.events.filter(kind="comment", public=False).exists()
    other = apply(resident.user, CODE)
    clerk = staff("rsj_clerk")
    ids = [other.tasks.get().pk, hr.pk]
    with TestCase.captureOnCommitCallbacks(execute=True):
        results = services.tasks_bulk(user=clerk, task_ids=ids, action="approve")
    assert [r.ok for r in results] == [True, False]
    assert other.tasks.filter(element_id="hr", status="open").exists()
