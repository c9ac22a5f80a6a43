"""Supplements (补正) change what the engine sees: a corrected answer reaches the process
variables, so a gateway condition on a form field evaluated after the supplement uses the
new value — whether the task waited outside the engine or the process routed the request
to the applicant, and whichever branch reaches a join last."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import TestCase

from onewindow.cases import services
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.services.process import restore
from onewindow.testing.applying import act, apply
from onewindow.testing.cases import _NS, ANSWERS, definition, publish

pytestmark = pytest.mark.django_db

MASTER = 'degree == "master"'


def _flow(fid: str, source: str, target: str, condition: str = "") -> str:
    body = (
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}'
        "</bpmn:conditionExpression>"
        if condition
        else ""
    )
    return (
        f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}">'
        f"{body}</bpmn:sequenceFlow>"
    )


def _task(tid: str, group: str, incoming: list[str], outgoing: list[str]) -> str:
    ins = "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f in incoming)
    outs = "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing)
    return (
        f'<bpmn:userTask id="{tid}" name="{tid}" camunda:candidateGroups="{group}">'
        f"{ins}{outs}</bpmn:userTask>"
    )


# The clerk reviews; a master's degree goes on to the approver, a bachelor's is approved at
# once. A supplement request waits outside the engine (no applicant step in the model).
REVIEW_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {_NS}>
  <bpmn:process id="degree_review" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    {_task("review", "rsj_clerk", ["f1"], ["f2"])}
    <bpmn:exclusiveGateway id="gw_degree" default="f_bachelor">
      <bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f_master</bpmn:outgoing><bpmn:outgoing>f_bachelor</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    {_task("senior", "rsj_approver", ["f_master"], ["f3"])}
    <bpmn:endEvent id="approved">
      <bpmn:incoming>f_bachelor</bpmn:incoming><bpmn:incoming>f3</bpmn:incoming>
    </bpmn:endEvent>
    {_flow("f1", "start", "review")}
    {_flow("f2", "review", "gw_degree")}
    {_flow("f_master", "gw_degree", "senior", MASTER)}
    {_flow("f_bachelor", "gw_degree", "approved")}
    {_flow("f3", "senior", "approved")}
  </bpmn:process>
</bpmn:definitions>
"""

# Two departments check in parallel; the education bureau may send the application back to
# the applicant (a modelled 补正 step) and checks again. After the join a gateway on the
# form's degree decides whether the approver must sign as well.
PARALLEL_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {_NS}>
  <bpmn:process id="degree_parallel" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="fork">
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>to_edu</bpmn:outgoing><bpmn:outgoing>to_hr</bpmn:outgoing>
    </bpmn:parallelGateway>
    {_task("edu", "gz-jyj:approver", ["to_edu", "f_again"], ["f_edu"])}
    <bpmn:exclusiveGateway id="gw_edu" default="f_edu_ok">
      <bpmn:incoming>f_edu</bpmn:incoming>
      <bpmn:outgoing>f_edu_ok</bpmn:outgoing><bpmn:outgoing>f_edu_sup</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    {_task("correct", "applicant", ["f_edu_sup"], ["f_again"])}
    {_task("hr", "rsj_clerk", ["to_hr"], ["f_hr"])}
    <bpmn:parallelGateway id="join">
      <bpmn:incoming>f_edu_ok</bpmn:incoming><bpmn:incoming>f_hr</bpmn:incoming>
      <bpmn:outgoing>f_join</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:exclusiveGateway id="gw_degree" default="f_bachelor">
      <bpmn:incoming>f_join</bpmn:incoming>
      <bpmn:outgoing>f_master</bpmn:outgoing><bpmn:outgoing>f_bachelor</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    {_task("senior", "rsj_approver", ["f_master"], ["f_end"])}
    <bpmn:endEvent id="approved">
      <bpmn:incoming>f_bachelor</bpmn:incoming><bpmn:incoming>f_end</bpmn:incoming>
    </bpmn:endEvent>
    {_flow("f1", "start", "fork")}
    {_flow("to_edu", "fork", "edu")}
    {_flow("to_hr", "fork", "hr")}
    {_flow("f_edu", "edu", "gw_edu")}
    {_flow("f_edu_ok", "gw_edu", "join")}
    {_flow("f_edu_sup", "gw_edu", "correct", 'decision == "supplement"')}
    {_flow("f_again", "correct", "edu")}
    {_flow("f_hr", "hr", "join")}
    {_flow("f_join", "join", "gw_degree")}
    {_flow("f_master", "gw_degree", "senior", MASTER)}
    {_flow("f_bachelor", "gw_degree", "approved")}
    {_flow("f_end", "senior", "approved")}
  </bpmn:process>
</bpmn:definitions>
"""


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def _resubmit(resident: Any, case: Case, **changes: Any) -> Case:
    data = {**case.form_data, **changes}
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.case_supplement_submit(user=resident.user, case_id=case.pk, form_data=data)
    return _fresh(case)


@pytest.fixture
def review_service(city: None, tmp_path: Any) -> Any:
    return publish(tmp_path, service=definition(code="degree-review"), bpmn=REVIEW_BPMN)


@pytest.fixture
def parallel_service(city: None, tmp_path: Any) -> Any:
    return publish(tmp_path, service=definition(code="degree-parallel"), bpmn=PARALLEL_BPMN)


def test_a_corrected_answer_decides_the_gateway_after_a_waiting_task(
    review_service, resident, staff
):
    case = apply(resident.user, "degree-review")
    assert case.form_data["degree"] == "bachelor"
    act(staff("rsj_clerk"), case, "review", decision="supplement", comment="学历填写有误")
    case = _fresh(case)
    assert case.status == Case.Status.SUPPLEMENT
    assert case.tasks.get(element_id="review").status == CaseTask.Status.WAITING

    case = _resubmit(resident, case, degree="master")
    assert case.status == Case.Status.IN_PROGRESS
    assert restore(case).data()["degree"] == "master"
    act(staff("rsj_clerk"), case, "review")
    case = _fresh(case)
    # Before the supplement the degree was bachelor: the case would have been approved here.
    assert case.status == Case.Status.IN_PROGRESS
    assert set(case.tasks.filter(status="open").values_list("element_id", flat=True)) == {"senior"}
    act(staff("rsj_approver"), case, "senior")
    assert _fresh(case).status == Case.Status.APPROVED


def test_an_unchanged_answer_keeps_its_route(review_service, resident, staff):
    case = apply(resident.user, "degree-review")
    act(staff("rsj_clerk"), case, "review", decision="supplement", comment="照片不清晰")
    case = _resubmit(resident, _fresh(case))
    act(staff("rsj_clerk"), case, "review")
    assert _fresh(case).status == Case.Status.APPROVED  # bachelor: no approver step


def test_a_cleared_optional_answer_leaves_the_process_variables(review_service, resident, staff):
    case = apply(
        resident.user, "degree-review", answers={**ANSWERS, "graduation_date": "2026-06-30"}
    )
    assert restore(case).data()["graduation_date"] == "2026-06-30"
    act(staff("rsj_clerk"), case, "review", decision="supplement", comment="毕业日期有误")
    data = {k: v for k, v in _fresh(case).form_data.items() if k != "graduation_date"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.case_supplement_submit(user=resident.user, case_id=case.pk, form_data=data)
    assert "graduation_date" not in restore(_fresh(case)).data()


def test_the_corrected_answer_survives_a_join_the_other_branch_reaches_last(
    parallel_service, resident, staff
):
    case = apply(resident.user, "degree-parallel")
    act(staff("jyj_approver"), case, "edu", decision="supplement", comment="请核对学历")
    case = _fresh(case)
    assert case.status == Case.Status.SUPPLEMENT
    case = _resubmit(resident, case, degree="master")
    assert case.status == Case.Status.IN_PROGRESS
    act(staff("jyj_approver"), case, "edu")
    # The human resources branch opened before the supplement; it reaches the join last,
    # and the join keeps the last arrival's values.
    act(staff("rsj_clerk"), case, "hr")
    case = _fresh(case)
    assert set(case.tasks.filter(status="open").values_list("element_id", flat=True)) == {"senior"}
    act(staff("rsj_approver"), case, "senior")
    assert _fresh(case).status == Case.Status.APPROVED
