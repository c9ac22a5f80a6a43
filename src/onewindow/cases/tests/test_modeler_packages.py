"""The two catalogue packages drawn as Camunda Modeler draws them, run to every end through
the case services with the real exchange and licences:

* 最低生活保障 (subsistence-allowance): 民政 accepts, then 公安, 不动产登记 and 民政 check in
  parallel — each branch looks the applicant's records up first, each department records
  its finding on a task form (two in ``camunda:formData``, one in ``housing_check.task.json``)
  — and a gateway after the join decides on the three findings before 民政 confirms (a
  finding not met is rejected with the reason ``findings.decision.yaml`` gives);
* 竣工联合验收 (completion-joint-acceptance): a collaboration of two pools; an inclusive split
  opens the checks the form asks for, a 会签 goes to the departments chosen on the form, and
  a call activity into the second pool records the opinion's number and issues the licence.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import TestCase
from django.utils import timezone

from onewindow.audit.services import Actor
from onewindow.cases import services
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.services.process import restore
from onewindow.catalog.models import ServiceVersion
from onewindow.catalog.services import service_packages_import
from onewindow.core.calendar import add_working_days
from onewindow.core.errors import ValidationFailed
from onewindow.exchange.models import CallLog
from onewindow.identity.models import StaffRole
from onewindow.licences.models import Licence
from onewindow.testing.demo_packages import catalog_dir, submit_package

pytestmark = pytest.mark.django_db

ACTIVE = (CaseTask.Status.OPEN, CaseTask.Status.CLAIMED)
START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)  # a Monday, 17:00 in Guangzhou


def published(code: str) -> ServiceVersion:
    folder = catalog_dir() / code
    if not (folder / "process.bpmn").exists():
        pytest.skip(f"demo package {code} not present")
    return service_packages_import(actor=Actor.system("test"), paths=[folder])[0]


def open_elements(case: Case) -> set[str]:
    return set(case.tasks.filter(status__in=ACTIVE).values_list("element_id", flat=True))


def task_of(case: Case, element: str) -> CaseTask:
    return case.tasks.get(element_id=element, status__in=ACTIVE)


def holder(task: CaseTask) -> Any:
    """A staff member holding the task's role in its department."""
    role = StaffRole.objects.filter(role__code=task.role_code, department=task.department)
    found = role.select_related("staff__user").order_by("staff__user__username").first()
    assert found is not None, (task.department.code, task.role_code)
    return found.staff.user


def complete(
    task: CaseTask,
    decision: str = "approve",
    *,
    comment: str = "",
    findings: dict[str, Any] | None = None,
) -> Case:
    """Complete as the task's holder and run what the commit hands to the worker (look-ups,
    the licence)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.task_complete(
            user=holder(task),
            task_id=task.pk,
            decision=decision,
            comment=comment,
            findings=findings,
        )
    return Case.objects.get(pk=task.case_id)


# --- 最低生活保障 -------------------------------------------------------------------------------

DIBAO = "subsistence-allowance"
DIBAO_ANSWERS = {
    "applicant_name": "林晓琳",
    "household_size": 3,
    "monthly_income": 3000,
    "reason": "illness",
    "bank_account": "6222020200112233445",
}
CHECKS = {"hukou_check", "housing_check", "income_check"}
FINDINGS_OK: dict[str, dict[str, Any]] = {
    "hukou_check": {"hukou_ok": True},
    "housing_check": {"housing_ok": True, "flats": 1},
    "income_check": {"income_ok": True, "per_capita_income": 980},
}


def dibao_checks(resident: Any) -> Case:
    """Apply and let 民政's window accept: the three checks open, each after its look-up."""
    version = published(DIBAO)
    case = submit_package(resident, version, answers=DIBAO_ANSWERS)
    assert open_elements(case) == {"accept"}
    assert task_of(case, "accept").department.code == "gz-mzj"
    case = complete(task_of(case, "accept"))
    assert open_elements(case) == CHECKS
    return case


def test_dibao_checks_go_to_their_departments_after_each_look_up(city, resident):
    case = dibao_checks(resident)
    departments = {
        t.element_id: (t.department.code, t.role_code) for t in case.tasks.filter(status="open")
    }
    assert departments == {
        "hukou_check": ("gz-gaj", "approver"),
        "housing_check": ("gz-ghzyj", "approver"),
        "income_check": ("gz-mzj", "approver"),
    }
    looked_up = set(
        CallLog.objects.filter(case_number=case.number).values_list("resource_code", flat=True)
    )
    assert looked_up == {  # after acceptance: the identity and social insurance it declares too
        "gz-gaj.identity",
        "gz-rsj.social-insurance",
        "gz-gaj.household-registration",
        "gz-ghzyj.property-records",
        "gz-mzj.income-assets",
    }
    # Both ways of declaring a task form reach the workbench: the BPMN's and the package's.
    forms = case.service_version.process_spec["user_tasks"]
    assert forms["income_check"]["form"]["required"] == ["income_ok"]
    assert forms["housing_check"]["form"]["properties"]["flats"]["type"] == "integer"
    assert forms["hukou_check"]["form"]["properties"]["hukou_ok"]["type"] == "boolean"


def test_dibao_all_findings_met_then_the_approver_confirms(city, resident):
    case = dibao_checks(resident)
    for element, values in FINDINGS_OK.items():
        case = complete(task_of(case, element), findings=values)
    assert open_elements(case) == {"confirm"}
    confirm = task_of(case, "confirm")
    assert (confirm.department.code, confirm.role_code) == ("gz-mzj", "approver")
    assert case.tasks.get(element_id="housing_check").findings == {"housing_ok": True, "flats": 1}
    variables = restore(case).data()
    assert (variables["per_capita_income"], variables["flats"]) == (980, 1)
    case = complete(confirm)
    assert case.status == Case.Status.APPROVED


@pytest.mark.parametrize(
    ("element", "finding", "reason"),
    [
        (
            "housing_check",
            {"housing_ok": False, "flats": 3},
            "经不动产登记部门住房核查，家庭住房状况不符合最低生活保障条件",
        ),
        ("hukou_check", {"hukou_ok": False}, "经公安部门户籍核查，申请家庭不是本市户籍"),
        (
            "income_check",
            {"income_ok": False, "per_capita_income": 2600},
            "经家庭经济状况核对，家庭收入和财产不符合最低生活保障条件",
        ),
    ],
)
def test_dibao_a_finding_not_met_rejects_without_the_approver(
    city, resident, element, finding, reason
):
    case = dibao_checks(resident)
    for check, values in FINDINGS_OK.items():
        case = complete(task_of(case, check), findings=finding if check == element else values)
    assert case.status == Case.Status.REJECTED
    assert not case.tasks.filter(element_id="confirm").exists()
    assert open_elements(case) == set()
    assert case.outcome_note == reason  # findings.decision.yaml words what the resident reads


def test_dibao_a_required_finding_is_required_to_approve(city, resident):
    case = dibao_checks(resident)
    with pytest.raises(ValidationFailed) as caught:
        complete(task_of(case, "income_check"), findings={"per_capita_income": 980})
    assert [(e.field, str(e.message)) for e in caught.value.errors] == [
        ("findings.income_ok", "请填写“家庭收入和财产符合低保条件”。")
    ]
    assert task_of(case, "income_check").status == CaseTask.Status.OPEN


def test_dibao_police_rejects_its_check_and_the_other_checks_are_cancelled(city, resident):
    case = dibao_checks(resident)
    case = complete(task_of(case, "hukou_check"), "reject", comment="申请人户籍不在本市")
    assert case.status == Case.Status.REJECTED
    assert case.outcome_note == "申请人户籍不在本市"
    statuses = dict(case.tasks.filter(element_id__in=CHECKS).values_list("element_id", "status"))
    assert statuses == {
        "hukou_check": CaseTask.Status.COMPLETED,
        "housing_check": CaseTask.Status.CANCELLED,
        "income_check": CaseTask.Status.CANCELLED,
    }
    assert not case.tasks.filter(element_id="confirm").exists()
    assert case.next_timer_at is None  # the income check's reminder went with it


def test_dibao_the_approver_rejects_with_the_reason(city, resident):
    case = dibao_checks(resident)
    for element, values in FINDINGS_OK.items():
        case = complete(task_of(case, element), findings=values)
    case = complete(task_of(case, "confirm"), "reject", comment="家庭成员隐瞒经营收入")
    assert case.status == Case.Status.REJECTED
    assert case.outcome_note == "家庭成员隐瞒经营收入"
    assert case.get_status_display() != Case.Status.APPROVED.label


def test_dibao_the_income_check_is_escalated_after_ten_working_days(city, resident):
    with time_machine.travel(START, tick=False):
        case = dibao_checks(resident)
    assert case.next_timer_at is not None
    local = timezone.localtime(START)
    due = timezone.localtime(case.next_timer_at)
    assert due.date() == add_working_days(local.date(), 10) and due.time() == local.time()
    minute = datetime.timedelta(minutes=1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.case_advance(case_id=case.pk, now=case.next_timer_at - minute)
    assert not case.tasks.filter(escalated=True).exists()
    fired = case.next_timer_at + minute
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.cases_sla_sweep(now=fired)["advanced"] == 1
    income = case.tasks.get(element_id="income_check")
    assert (income.status, income.escalated, income.escalated_at) == (
        CaseTask.Status.OPEN,
        True,
        fired,
    )
    assert not case.tasks.filter(escalated=True).exclude(pk=income.pk).exists()
    assert case.events.filter(kind="escalated", task=income).count() == 1
    # The reminder's path ends at 已督办; the case goes on as drawn.
    for element, values in FINDINGS_OK.items():
        case = complete(task_of(case, element), findings=values)
    case = complete(task_of(case, "confirm"))
    assert case.status == Case.Status.APPROVED


# --- 竣工联合验收 -------------------------------------------------------------------------------

ACCEPTANCE = "completion-joint-acceptance"
MANDATORY = {"planning", "archives"}


def acceptance_checks(resident: Any, company_for: Any, **answers: Any) -> Case:
    """The company applies with the form's answers, 住建's window accepts."""
    version = published(ACCEPTANCE)
    form = {
        "project_name": "白云区某产业园一期厂房",
        "needs_fire_acceptance": False,
        "has_civil_air_defence": False,
        "co_departments": ["gz-sthjj", "gz-jtj"],
        **answers,
    }
    case = submit_package(resident, version, company=company_for(resident), answers=form)
    assert open_elements(case) == {"accept"}
    return complete(task_of(case, "accept"))


def to_signoff(case: Case) -> Case:
    for element in sorted(open_elements(case)):
        case = complete(task_of(case, element))
    assert open_elements(case) == {"co_sign"}
    return case


def signers(case: Case) -> list[CaseTask]:
    return list(
        case.tasks.filter(element_id="co_sign", status__in=ACTIVE)
        .select_related("department")
        .order_by("instance_index")
    )


def test_acceptance_without_fire_or_civil_defence_opens_only_the_mandatory_checks(
    city, resident, company_for
):
    case = acceptance_checks(resident, company_for)
    assert open_elements(case) == MANDATORY
    assert task_of(case, "planning").department.code == "gz-ghzyj"
    assert task_of(case, "archives").department.code == "gz-zjj"


def test_acceptance_fire_asked_the_inclusive_join_waits_for_it(city, resident, company_for):
    case = acceptance_checks(resident, company_for, needs_fire_acceptance=True)
    assert open_elements(case) == MANDATORY | {"fire"}
    for element in sorted(MANDATORY):
        case = complete(task_of(case, element))
    assert open_elements(case) == {"fire"}
    case = complete(task_of(case, "fire"))
    assert open_elements(case) == {"co_sign"}


def test_acceptance_civil_defence_asked_opens_its_check(city, resident, company_for):
    case = acceptance_checks(resident, company_for, has_civil_air_defence=True)
    assert open_elements(case) == MANDATORY | {"civil_defence"}
    assert task_of(case, "civil_defence").department.code == "gz-zjj"


def test_acceptance_signoff_goes_to_exactly_the_departments_chosen(city, resident, company_for):
    case = to_signoff(
        acceptance_checks(resident, company_for, co_departments=["gz-scjgj", "gz-sthjj"])
    )
    assert [(t.department.code, t.role_code) for t in signers(case)] == [
        ("gz-scjgj", "approver"),
        ("gz-sthjj", "approver"),
    ]


def test_acceptance_one_signers_rejection_is_a_veto(city, resident, company_for):
    case = to_signoff(acceptance_checks(resident, company_for))
    environment, transport = signers(case)
    assert (environment.department.code, transport.department.code) == ("gz-sthjj", "gz-jtj")
    case = complete(transport, "reject", comment="配套道路未按批准的设计完成")
    assert case.status == Case.Status.REJECTED
    assert case.outcome_note == "配套道路未按批准的设计完成"
    environment.refresh_from_db()
    assert environment.status == CaseTask.Status.CANCELLED
    assert not case.tasks.filter(element_id="opinion").exists()
    assert not Licence.objects.filter(case=case).exists()


def test_acceptance_signed_off_the_second_pool_issues_the_licence(city, resident, company_for):
    case = to_signoff(acceptance_checks(resident, company_for))
    for task in signers(case):
        case = complete(task)
    assert open_elements(case) == {"opinion"}
    opinion = task_of(case, "opinion")
    assert (opinion.department.code, opinion.role_code) == ("gz-zjj", "approver")
    with pytest.raises(ValidationFailed) as caught:
        complete(opinion)
    assert [(e.field, str(e.message)) for e in caught.value.errors] == [
        ("findings.opinion_no", "请填写“验收意见书编号”。")
    ]
    case = complete(opinion, findings={"opinion_no": "穗建联验〔2026〕108号"})
    assert case.status == Case.Status.APPROVED
    licence = Licence.objects.get(case=case)
    assert licence.licence_type.code == "completion-acceptance-filing"
    assert licence.holder_company == case.applicant_company
    assert licence.claims["opinionNumber"] == "穗建联验〔2026〕108号"
    assert licence.claims["projectName"] == "白云区某产业园一期厂房"
    variables = restore(case).data()
    assert variables["opinion_number"] == "穗建联验〔2026〕108号"  # camunda:out
    assert "opinion_no" not in variables  # only mapped variables come back
