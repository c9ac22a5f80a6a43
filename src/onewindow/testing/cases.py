"""The service package the case tests apply for (a graduate's employment registration: its
form, its answers, the uploads it takes) and its processes (3-way parallel approval, a timer
escalation, the default process), published through the real catalog import."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from onewindow.audit.services import Actor
from onewindow.catalog.models import ServiceVersion
from onewindow.catalog.services import service_packages_import

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64

FORM: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["applicant_name", "id_number", "degree"],
    "x-order": ["applicant_name", "id_number", "phone", "degree", "graduation_date"],
    "additionalProperties": False,
    "properties": {
        "applicant_name": {
            "type": "string",
            "title": "申请人姓名",
            "x-title-en": "Applicant name",
            "minLength": 1,
            "maxLength": 20,
        },
        "id_number": {
            "type": "string",
            "title": "身份证号码",
            "x-title-en": "Citizen ID",
            "format": "citizen-id",
        },
        "phone": {"type": "string", "title": "手机号码", "x-title-en": "Mobile", "format": "phone"},
        "degree": {
            "type": "string",
            "title": "学历",
            "x-title-en": "Degree",
            "enum": ["bachelor", "master"],
            "x-enum-labels": {
                "bachelor": {"zh": "本科", "en": "Bachelor"},
                "master": {"zh": "硕士研究生", "en": "Master"},
            },
        },
        "graduation_date": {
            "type": "string",
            "title": "毕业日期",
            "x-title-en": "Graduation date",
            "format": "date",
        },
    },
}

SERVICE: dict[str, Any] = {
    "code": "grad-employment-test",
    "name": {"zh": "高校毕业生就业报到（测试）", "en": "Graduate employment registration (test)"},
    "kind": "personal",
    "department": "gz-rsj",
    "co_departments": ["gz-jyj", "gz-gaj"],
    "life_events": ["employment"],
    "topics": ["employment"],
    "legal_basis": ["《中华人民共和国就业促进法》"],
    "conditions": {"zh": "本市高校应届毕业生。", "en": "New graduates."},
    "materials": [
        {
            "code": "diploma",
            "name": {"zh": "毕业证书", "en": "Diploma"},
            "source": "upload",
            "required": True,
            "accept": ["application/pdf", "image/jpeg", "image/png"],
            "max_mb": 1,
        },
        {
            "code": "hukou",
            "name": {"zh": "户口簿信息", "en": "Household registration"},
            "source": "exchange",
            "resource": "gz-gaj.household-registration",
        },
    ],
    "time_limit": {"statutory_days": 10, "promised_days": 5},
    "online_depth": 4,
    "appointment": False,
    "outcome": {"type": "decision"},
    "delivery": ["electronic"],
    "where": {"zh": "广州市人力资源和社会保障局", "en": "Human resources bureau"},
    "roles": {
        "rsj_clerk": {"department": "gz-rsj", "role": "window_clerk"},
        "rsj_approver": {"department": "gz-rsj", "role": "approver"},
    },
}

REJECT = 'decision == "reject"'
_NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" '
    'targetNamespace="http://bpmn.io/schema/bpmn"'
)


def _approval(tid: str, group: str, name: str) -> str:
    """An approval task followed by a gateway: reject ends the case, otherwise join."""
    return f"""
    <bpmn:userTask id="{tid}" name="{name}" camunda:candidateGroups="{group}">
      <bpmn:incoming>to_{tid}</bpmn:incoming><bpmn:outgoing>{tid}_out</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="gw_{tid}" default="{tid}_ok">
      <bpmn:incoming>{tid}_out</bpmn:incoming>
      <bpmn:outgoing>{tid}_ok</bpmn:outgoing><bpmn:outgoing>{tid}_rej</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="{tid}_rejected"><bpmn:incoming>{tid}_rej</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="to_{tid}" sourceRef="fork" targetRef="{tid}"/>
    <bpmn:sequenceFlow id="{tid}_out" sourceRef="{tid}" targetRef="gw_{tid}"/>
    <bpmn:sequenceFlow id="{tid}_ok" sourceRef="gw_{tid}" targetRef="join"/>
    <bpmn:sequenceFlow id="{tid}_rej" sourceRef="gw_{tid}" targetRef="{tid}_rejected">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{REJECT}
      </bpmn:conditionExpression>
    </bpmn:sequenceFlow>"""


LOOKUP_HUKOU = """    <bpmn:serviceTask id="lookup_hukou" name="调取户籍信息"
        camunda:type="external" camunda:topic="exchange.lookup">
      <bpmn:extensionElements><camunda:inputOutput>
      <camunda:inputParameter name="resource">gz-gaj.household-registration</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:serviceTask>
"""
PARALLEL_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {_NS}>
  <bpmn:process id="grad_employment" name="就业报到" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
{LOOKUP_HUKOU}    <bpmn:userTask id="accept" name="受理" camunda:candidateGroups="rsj_clerk">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="gw_accept" default="f_fork">
      <bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f_fork</bpmn:outgoing><bpmn:outgoing>f_acc_rej</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="accept_rejected"><bpmn:incoming>f_acc_rej</bpmn:incoming></bpmn:endEvent>
    <bpmn:parallelGateway id="fork">
      <bpmn:incoming>f_fork</bpmn:incoming>
      <bpmn:outgoing>to_hr</bpmn:outgoing><bpmn:outgoing>to_edu</bpmn:outgoing>
      <bpmn:outgoing>to_police</bpmn:outgoing>
    </bpmn:parallelGateway>
    {_approval("hr", "rsj_approver", "人社审核")}
    {_approval("edu", "gz-jyj:approver", "学历核验")}
    {_approval("police", "gz-gaj:approver", "户籍迁入审核")}
    <bpmn:parallelGateway id="join">
      <bpmn:incoming>hr_ok</bpmn:incoming><bpmn:incoming>edu_ok</bpmn:incoming>
      <bpmn:incoming>police_ok</bpmn:incoming><bpmn:outgoing>f_end</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:endEvent id="approved"><bpmn:incoming>f_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="lookup_hukou"/>
    <bpmn:sequenceFlow id="f1" sourceRef="lookup_hukou" targetRef="accept"/>
    <bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="gw_accept"/>
    <bpmn:sequenceFlow id="f_fork" sourceRef="gw_accept" targetRef="fork"/>
    <bpmn:sequenceFlow id="f_acc_rej" sourceRef="gw_accept" targetRef="accept_rejected">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{REJECT}
      </bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_end" sourceRef="join" targetRef="approved"/>
  </bpmn:process>
</bpmn:definitions>
"""

# The same process without the look-up: the accept task opens in the submitting request.
PARALLEL_PLAIN_BPMN = (
    PARALLEL_BPMN.replace(LOOKUP_HUKOU, "")
    .replace(
        "<bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>",
        "<bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>",
    )
    .replace('    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="lookup_hukou"/>\n', "")
    .replace('sourceRef="lookup_hukou" targetRef="accept"', 'sourceRef="start" targetRef="accept"')
)

TIMER_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {_NS}>
  <bpmn:process id="timer_process" name="督办" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="approve" name="审批" camunda:candidateGroups="gz-rsj:approver">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="sla" name="超时" attachedToRef="approve">
      <bpmn:outgoing>f_esc</bpmn:outgoing>
      <bpmn:timerEventDefinition>
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P2D</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="escalate" name="督办审批" camunda:candidateGroups="gz-rsj:dept_admin">
      <bpmn:incoming>f_esc</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="approved">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f3</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve"/>
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="approved"/>
    <bpmn:sequenceFlow id="f_esc" sourceRef="sla" targetRef="escalate"/>
    <bpmn:sequenceFlow id="f3" sourceRef="escalate" targetRef="approved"/>
  </bpmn:process>
</bpmn:definitions>
"""

ANSWERS = {
    "applicant_name": "张伟",
    "id_number": "11010519491231002X",
    "phone": "13800138000",
    "degree": "bachelor",
}
# What any resident sends through the API: their own name, citizen ID and phone are answered
# by their real-name record (a different value is refused as applying in another's name).
OWN_ANSWERS = {"degree": "bachelor"}


def definition(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(SERVICE)
    data.update(changes)
    return data


def publish(
    root: Path,
    *,
    service: dict[str, Any] | None = None,
    form: dict[str, Any] | None = None,
    bpmn: str | None = PARALLEL_BPMN,
) -> ServiceVersion:
    service = service or definition()
    if bpmn is not None and "exchange.lookup" not in bpmn:
        # A test's own process that looks nothing up: the package declares no shared-data
        # material (the validator refuses a declared look-up the process never makes).
        service = {
            **service,
            "materials": [m for m in service.get("materials", []) if m.get("source") != "exchange"],
        }
    folder = root / service["code"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "service.yaml").write_text(yaml.safe_dump(service, allow_unicode=True))
    (folder / "form.schema.json").write_text(json.dumps(form or FORM, ensure_ascii=False))
    if bpmn is not None:
        (folder / "process.bpmn").write_text(bpmn)
    elif (folder / "process.bpmn").exists():
        (folder / "process.bpmn").unlink()
    versions = service_packages_import(actor=Actor.system("test"), paths=[folder])
    if versions:
        return versions[0]
    return ServiceVersion.objects.filter(service__code=service["code"]).order_by("-number")[0]
