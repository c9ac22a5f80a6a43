"""The ``notify.send`` action of BPMN service tasks: a real message to the case's applicant
(SMS and message centre), sent once per action key even when the engine retries the step; an
outcome step and the platform's own conclusion message tell the applicant once; a reminder
addressed to a role goes to its staff; a step naming an unknown template fails and sends
nothing. Every catalogue step that calls it has what its template needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import TestCase
from lxml import etree

from onewindow.cases import notify_action as actions
from onewindow.cases import services as cases
from onewindow.cases.models import Case
from onewindow.core.refs import CaseRef
from onewindow.notify.messages import SMS_TEMPLATES, template_params
from onewindow.notify.models import Message, SmsMessage
from onewindow.notify.services import sms_text
from onewindow.testing.applying import act, apply
from onewindow.testing.cases import _NS, definition, publish
from onewindow.testing.demo_packages import catalog_dir
from onewindow.workflow import actions as engine_actions
from onewindow.workflow.actions import ActionContext

pytestmark = pytest.mark.django_db

CODE = "notify-step-test"


def process(params: str) -> str:
    """Accept, then a notify.send service task with ``params``, then the approved end."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {_NS}>
  <bpmn:process id="notify_step" name="通知" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="accept" name="受理" camunda:candidateGroups="rsj_clerk">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:serviceTask id="tell" name="通知申请人" camunda:type="external"
        camunda:topic="notify.send">
      <bpmn:extensionElements><camunda:inputOutput>{params}</camunda:inputOutput>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="approved"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="accept"/>
    <bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="tell"/>
    <bpmn:sequenceFlow id="f3" sourceRef="tell" targetRef="approved"/>
  </bpmn:process>
</bpmn:definitions>
"""


def param(name: str, value: str) -> str:
    return f'<camunda:inputParameter name="{name}">{value}</camunda:inputParameter>'


SHIPPED = param("template", "case_shipped") + param("tracking_no", "SF1234567890")


def published(tmp_path: Path, params: str) -> None:
    publish(tmp_path, service=definition(code=CODE), bpmn=process(params))


def advance(case: Case) -> list[str]:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return cases.case_advance(case_id=case.pk)


def accepted(staff: Any, resident: Any) -> Case:
    case = apply(resident.user, CODE)
    act(staff("rsj_clerk"), case, "accept")
    return Case.objects.get(pk=case.pk)


def kinds(user: Any) -> list[str]:
    return list(
        Message.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True)
    )


def test_a_notify_step_sends_once_even_when_retried_with_the_same_key(
    city, tmp_path, resident, staff, monkeypatch, fake_sms
):
    published(tmp_path, SHIPPED)
    keys: list[str] = []

    def lost_after_sending(ctx: ActionContext) -> dict[str, Any]:
        answer = actions.notify_send(ctx)
        keys.append(ctx.key)
        if len(keys) == 1:
            raise ConnectionError("worker lost after the send")
        return answer

    monkeypatch.setitem(engine_actions._REGISTRY, "notify.send", lost_after_sending)
    case = accepted(staff, resident)
    if not case.is_concluded and len(keys) < 2:
        assert "action_done:tell" in advance(case)  # the retry (same key)
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    assert len(keys) == 2 and keys[0] == keys[1]
    shipped = Message.objects.filter(recipient=resident.user, kind="notice")
    (message,) = shipped
    assert message.title == "办理结果已寄出"
    assert message.body == (
        f"您申请的高校毕业生就业报到（测试）（办件编号{case.number}）办理结果已寄出，"
        "运单号SF1234567890，请注意查收。"
    )
    texts = [sms_text(row) for row in SmsMessage.objects.filter(template="case_shipped")]
    assert texts == [f"【一网通办】{message.body}"]
    assert [r.template for _, r in fake_sms.sent].count("case_shipped") == 1


def test_an_outcome_step_and_the_conclusion_tell_the_applicant_once(
    city, tmp_path, resident, staff, fake_sms
):
    published(tmp_path, param("template", "case_approved"))
    case = accepted(staff, resident)
    if not case.is_concluded:
        advance(case)
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    assert kinds(resident.user) == ["submitted", "task_approved", "concluded"]
    assert [r.template for _, r in fake_sms.sent] == [
        "case_submitted",
        "case_task_approved",
        "case_approved",
    ]


def test_a_free_text_step_tells_the_applicant_the_text(city, tmp_path, resident, staff, fake_sms):
    published(tmp_path, param("text", "请于工作日携带身份证到人社局窗口领取证件。"))
    case = accepted(staff, resident)
    if not case.is_concluded:
        advance(case)
    message = Message.objects.get(recipient=resident.user, kind="notice")
    assert message.body == "请于工作日携带身份证到人社局窗口领取证件。"
    assert message.link == f"/cases/{case.number}/"
    assert "【一网通办】请于工作日携带身份证到人社局窗口领取证件。" in [
        sms_text(row) for row in SmsMessage.objects.all()
    ]


def test_a_reminder_to_a_role_goes_to_its_staff_not_the_applicant(
    city, tmp_path, resident, staff, fake_sms
):
    published(tmp_path, param("template", "sla_escalation") + param("to", "rsj_approver"))
    case = accepted(staff, resident)
    if not case.is_concluded:
        advance(case)
    (reminder,) = Message.objects.filter(recipient=staff("rsj_approver"))
    assert (reminder.kind, reminder.title) == ("escalated", "督办提醒")
    assert reminder.body == (
        f"督办提醒：办件{case.number}（高校毕业生就业报到（测试））已超过办理时限，请尽快办理。"
    )
    assert "escalated" not in kinds(resident.user)
    assert "sla_escalation" not in [r.template for _, r in fake_sms.sent]


def test_an_unknown_template_fails_the_step_and_sends_nothing(
    city, tmp_path, resident, staff, fake_sms
):
    published(tmp_path, param("template", "no_such_template"))
    case = accepted(staff, resident)
    assert "action_failed:tell" in advance(case)
    case.refresh_from_db()
    assert case.is_open
    assert kinds(resident.user) == ["submitted", "task_approved"]


def test_the_engine_without_a_case_has_nobody_to_tell():
    ctx = ActionContext(
        action="notify.send", key="C1:tell:x", element_id="tell", params={}, data={}, context={}
    )
    assert actions.notify_send(ctx) == {"notified": False}


def test_the_step_tells_from_the_case_ref_alone(resident, fake_sms):
    """The action reads no case row: what it tells comes from the engine's CaseRef."""
    ref = CaseRef(
        id=987654,
        number="44010020260928000001",
        service_code="some-service",
        service_name="某项服务",
        applicant_person_id=resident.pk,
        applicant_company_id=None,
        department_code="gz-rsj",
        applicant_user_id=resident.user_id,
    )
    ctx = ActionContext(
        action="notify.send",
        key="987654:tell:x",
        element_id="tell",
        params={"template": "case_shipped", "tracking_no": "SF1234567890"},
        data={},
        context={"case": ref},
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert actions.notify_send(ctx) == {"notified": True}
    (message,) = Message.objects.filter(recipient=resident.user)
    assert message.body.startswith(f"您申请的某项服务（办件编号{ref.number}）办理结果已寄出")
    assert message.link == f"/cases/{ref.number}/"
    assert [r.phone for _, r in fake_sms.sent] == [resident.phone]


NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}


def _notify_steps(bpmn: Path) -> list[dict[str, str]]:
    root = etree.fromstring(bpmn.read_bytes())
    return [
        {
            p.get("name", ""): (p.text or "").strip()
            for p in task.iterfind(".//camunda:inputParameter", NS)
        }
        for task in root.iterfind(".//bpmn:serviceTask", NS)
        if task.get(f"{{{NS['camunda']}}}topic") == "notify.send"
    ]


def test_every_catalogue_notify_step_has_what_its_template_needs():
    found = 0
    for bpmn in sorted(catalog_dir().glob("*/process.bpmn")):
        roles = (yaml.safe_load((bpmn.parent / "service.yaml").read_text()) or {}).get("roles")
        for step in _notify_steps(bpmn):
            found += 1
            where = f"{bpmn.parent.name}: {step}"
            if "text" in step and "template" not in step:
                continue
            assert step.get("template") in SMS_TEMPLATES, where
            filled = {"service", "number", "reason"}
            assert template_params(step["template"]) - filled <= set(step), where
            to = step.get("to", "applicant")
            assert to == "applicant" or to in (roles or {}) or ":" in to, where
    assert found >= 20  # the outcome notices of the processes drawn in BPMN


def test_the_shipped_notice_carries_the_tracking_number_of_the_shipment():
    from onewindow.workflow import compile_process, expressions

    bpmn = catalog_dir() / "hk-macau-reendorsement" / "process.bpmn"
    compiled = compile_process(bpmn.read_bytes(), filename=bpmn.name)
    assert compiled.problems == []
    params = compiled.spec["service_tasks"]["Notify_Done"]["params"]
    assert params["template"] == "case_shipped"
    shipped = {"delivery": {"tracking_no": "SF0000000001", "status": "shipped"}}
    assert expressions.evaluate(params["tracking_no"][2:-1], shipped) == "SF0000000001"
