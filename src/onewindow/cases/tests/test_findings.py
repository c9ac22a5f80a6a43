"""Departments record their findings in task forms; a gateway after the join decides on
them; a department's rejection ends the case; the last step's rejection is a rejection."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import TestCase

from onewindow.cases import services
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.services.process import restore
from onewindow.core.errors import ValidationFailed
from onewindow.testing.applying import apply
from onewindow.testing.cases import _NS, definition, publish
from onewindow.testing.clients import staff_client

pytestmark = pytest.mark.django_db

CODE = "housing-check-test"


def _check(tid: str, group: str, name: str, field: str, label: str) -> str:
    return f"""
    <bpmn:userTask id="{tid}" name="{name}" camunda:candidateGroups="{group}">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="{field}" label="{label}" type="boolean">
          <camunda:validation><camunda:constraint name="required" /></camunda:validation>
        </camunda:formField>
      </camunda:formData></bpmn:extensionElements>
      <bpmn:incoming>to_{tid}</bpmn:incoming><bpmn:outgoing>{tid}_done</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="to_{tid}" sourceRef="fork" targetRef="{tid}"/>
    <bpmn:sequenceFlow id="{tid}_done" sourceRef="{tid}" targetRef="join"/>"""


BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {_NS}>
  <bpmn:process id="housing_check" name="住房救助" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="accept" name="受理" camunda:candidateGroups="gz-mzj:window_clerk">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:parallelGateway id="fork">
      <bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>to_income</bpmn:outgoing><bpmn:outgoing>to_housing</bpmn:outgoing>
      <bpmn:outgoing>to_hukou</bpmn:outgoing>
    </bpmn:parallelGateway>
    {_check("income", "gz-mzj:approver", "收入财产核查", "income_ok", "收入和财产符合条件")}
    {_check("housing", "gz-zjj:approver", "住房核查", "housing_ok", "住房状况符合条件")}
    {_check("hukou", "gz-gaj:approver", "户籍核查", "hukou_ok", "本市户籍")}
    <bpmn:parallelGateway id="join">
      <bpmn:incoming>income_done</bpmn:incoming><bpmn:incoming>housing_done</bpmn:incoming>
      <bpmn:incoming>hukou_done</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:exclusiveGateway id="eligible" default="f_no">
      <bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="sign" name="审批" camunda:candidateGroups="gz-mzj:approver">
      <bpmn:incoming>f_yes</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="approved" name="准予"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="rejected" name="不予"><bpmn:incoming>f_no</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="accept"/>
    <bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="fork"/>
    <bpmn:sequenceFlow id="f3" sourceRef="join" targetRef="eligible"/>
    <bpmn:sequenceFlow id="f_yes" sourceRef="eligible" targetRef="sign">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
        >${{income_ok &amp;&amp; housing_ok &amp;&amp; hukou_ok}}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="eligible" targetRef="rejected"/>
    <bpmn:sequenceFlow id="f4" sourceRef="sign" targetRef="approved"/>
  </bpmn:process>
</bpmn:definitions>
"""

HOUSING_FORM = {
    "type": "object",
    "properties": {
        "checked_rooms": {"type": "integer", "title": "名下住房套数", "minimum": 0},
        "housing_note": {"type": "string", "title": "核查说明", "maxLength": 200},
    },
}


@pytest.fixture
def service(city: None, tmp_path: Path) -> Any:
    folder = tmp_path / CODE
    folder.mkdir()
    (folder / "housing.task.json").write_text(json.dumps(HOUSING_FORM, ensure_ascii=False))
    return publish(
        tmp_path,
        service=definition(code=CODE, department="gz-mzj", co_departments=["gz-zjj", "gz-gaj"]),
        bpmn=BPMN,
    )


def _task(case: Case, element: str) -> CaseTask:
    return case.tasks.get(element_id=element, status__in=["open", "claimed"])


def _complete(user: Any, case: Case, element: str, decision: str = "approve", **kw: Any) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.task_complete(
            user=user, task_id=_task(case, element).pk, decision=decision, **kw
        )


def _to_checks(resident: Any, staff: Any) -> Case:
    case = apply(resident.user, CODE)
    _complete(staff("mzj_clerk"), case, "accept")
    return Case.objects.get(pk=case.pk)


def test_findings_become_variables_and_the_gateway_decides_on_them(service, resident, staff):
    assert service.process_spec["user_tasks"]["housing"]["form"]["properties"].keys() == {
        "housing_ok",
        "checked_rooms",
        "housing_note",
    }
    case = _to_checks(resident, staff)
    _complete(staff("mzj_approver"), case, "income", findings={"income_ok": True})
    _complete(
        staff("zjj_approver"), case, "housing", findings={"housing_ok": True, "checked_rooms": 0}
    )
    _complete(staff("gaj_approver"), case, "hukou", findings={"hukou_ok": True})
    case = Case.objects.get(pk=case.pk)
    assert _task(case, "sign").department.code == "gz-mzj"
    assert restore(case).data()["checked_rooms"] == 0
    assert case.tasks.get(element_id="housing").findings == {
        "housing_ok": True,
        "checked_rooms": 0,
    }
    _complete(staff("mzj_approver"), case, "sign")
    assert Case.objects.get(pk=case.pk).status == Case.Status.APPROVED


def test_a_negative_finding_ends_the_case_rejected(service, resident, staff):
    case = _to_checks(resident, staff)
    _complete(staff("mzj_approver"), case, "income", findings={"income_ok": True})
    _complete(staff("zjj_approver"), case, "housing", findings={"housing_ok": False})
    _complete(staff("gaj_approver"), case, "hukou", findings={"hukou_ok": True})
    case = Case.objects.get(pk=case.pk)
    assert case.status == Case.Status.REJECTED
    # No decision table gave a reason: the negative finding is the reason the resident reads.
    housing = case.tasks.get(element_id="housing").department.name
    assert case.outcome_note == f"{housing}：住房状况符合条件（否）"


def test_a_departments_rejection_ends_the_case_and_cancels_the_other_checks(
    service, resident, staff
):
    case = _to_checks(resident, staff)
    _complete(staff("mzj_approver"), case, "income", findings={"income_ok": True})
    _complete(staff("gaj_approver"), case, "hukou", decision="reject", comment="非本市户籍")
    case = Case.objects.get(pk=case.pk)
    assert case.status == Case.Status.REJECTED
    assert case.outcome_note == "非本市户籍"
    assert case.tasks.get(element_id="housing").status == CaseTask.Status.CANCELLED
    assert not case.tasks.filter(element_id="sign").exists()
    cancelled = case.events.get(kind="task_cancelled")
    assert cancelled.task is not None
    assert (cancelled.task.element_id, cancelled.message, cancelled.public) == (
        "housing",
        "住房核查 已取消：非本市户籍",
        False,
    )
    assert case.events.filter(kind="concluded").get().data == {"outcome": "rejected"}


def test_rejecting_the_last_step_concludes_rejected(service, resident, staff):
    case = _to_checks(resident, staff)
    for user, element, field in (
        ("mzj_approver", "income", "income_ok"),
        ("zjj_approver", "housing", "housing_ok"),
        ("gaj_approver", "hukou", "hukou_ok"),
    ):
        _complete(staff(user), case, element, findings={field: True})
    _complete(staff("mzj_approver"), case, "sign", decision="reject", comment="材料不实")
    case = Case.objects.get(pk=case.pk)
    assert case.status == Case.Status.REJECTED
    assert case.get_status_display() != "已办结（准予）"
    assert case.outcome_note == "材料不实"


def test_bad_findings_are_refused_at_the_field_and_change_nothing(service, resident, staff):
    case = _to_checks(resident, staff)
    user = staff("zjj_approver")
    with pytest.raises(ValidationFailed) as caught:
        _complete(user, case, "housing", findings={"checked_rooms": "两套", "colour": "red"})
    assert {(e.field, str(e.message)) for e in caught.value.errors} == {
        ("findings.colour", "此任务没有“colour”这一项。"),
        ("findings.checked_rooms", "“名下住房套数”应为数字。"),
        ("findings.housing_ok", "请填写“住房状况符合条件”。"),
    }
    task = _task(Case.objects.get(pk=case.pk), "housing")
    assert task.status == CaseTask.Status.OPEN and task.findings == {}
    # Rejecting needs a reason, not the finding.
    _complete(user, case, "housing", decision="reject", comment="名下有房")
    assert Case.objects.get(pk=case.pk).status == Case.Status.REJECTED


def test_the_task_page_shows_the_form_and_other_departments_findings(service, resident, staff):
    case = _to_checks(resident, staff)
    _complete(staff("mzj_approver"), case, "income", findings={"income_ok": True})
    client = staff_client(staff("zjj_approver"))
    url = f"/workbench/tasks/{_task(case, 'housing').pk}/"
    page = client.get(url).content.decode()
    assert 'name="finding_housing_ok"' in page and 'name="finding_checked_rooms"' in page
    assert "各部门核查结论" in page and "收入和财产符合条件" in page
    response = client.post(url, {"action": "approve", "finding_checked_rooms": "-1"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "请填写“住房状况符合条件”。" in page and "“名下住房套数”超出允许范围。" in page
    assert 'value="-1"' in page  # what was typed is kept
    response = client.post(
        url, {"action": "approve", "finding_housing_ok": "true", "finding_checked_rooms": "0"}
    )
    assert response.status_code == 302
    assert case.tasks.get(element_id="housing").findings == {
        "housing_ok": True,
        "checked_rooms": 0,
    }
    other = staff_client(staff("gaj_approver")).get(f"/workbench/cases/{case.number}/")
    text = other.content.decode()
    assert "住房状况符合条件" in text and "名下住房套数" in text


def test_the_api_takes_findings_and_describes_them(service, resident, staff):
    case = _to_checks(resident, staff)
    client = staff_client(staff("mzj_approver"))
    task = _task(case, "income")
    inbox = client.get("/api/v1/tasks").json()
    mine = next(t for t in inbox if t["id"] == task.pk)
    assert mine["form"]["properties"]["income_ok"]["type"] == "boolean"
    response = client.post(
        f"/api/v1/tasks/{task.pk}/complete",
        data={"decision": "approve", "findings": {"income_ok": "maybe"}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "code": "invalid",
            "message": "“收入和财产符合条件”请选择是或否。",
            "field": "findings.income_ok",
        }
    ]
    response = client.post(
        f"/api/v1/tasks/{task.pk}/complete",
        data={"decision": "approve", "findings": {"income_ok": True}},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["findings"] == {"income_ok": True}
    schema = client.get("/api/v1/openapi.json").json()
    complete = schema["components"]["schemas"]["CompleteIn"]["properties"]
    assert complete["findings"]["type"] == "object"
