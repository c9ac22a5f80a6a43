"""Helpers for tests: write a valid service package and variations of it."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import yaml

SERVICE: dict[str, Any] = {
    "code": "hk-macau-reendorsement",
    "name": {"zh": "往来港澳通行证再次签注", "en": "Re-endorsement of the HK and Macao permit"},
    "kind": "personal",
    "department": "gz-gaj",
    "co_departments": [],
    "life_events": ["travel"],
    "topics": ["exit-entry"],
    "tags": ["签注", "港澳"],
    "legal_basis": ["《中华人民共和国出境入境管理法》第十条"],
    "conditions": {
        "zh": "持有效往来港澳通行证的本市户籍居民。",
        "en": "Holders of a valid permit.",
    },
    "materials": [
        {
            "code": "photo",
            "name": {"zh": "近期免冠彩色照片", "en": "Recent colour photo"},
            "source": "upload",
            "required": True,
            "accept": ["image/jpeg", "image/png"],
            "max_mb": 5,
        },
        {
            "code": "hukou",
            "name": {"zh": "户口簿信息", "en": "Household registration"},
            "source": "exchange",
            "resource": "gz-gaj.household-registration",
        },
        {
            "code": "marriage-cert",
            "name": {"zh": "结婚证", "en": "Marriage certificate"},
            "source": "licence",
            "licence_type": "marriage-certificate",
            "required": False,
        },
    ],
    "fees": [
        {
            "code": "endorsement",
            "name": {"zh": "签注费", "en": "Endorsement fee"},
            "amount": "15.00",
        }
    ],
    "time_limit": {"statutory_days": 10, "promised_days": 7},
    "online_depth": 4,
    "appointment": False,
    # the default process issues it, so the validity the decision sets is declared
    "outcome": {"type": "licence", "licence_type": "hk-macau-endorsement", "validity": "P3M"},
    "delivery": ["mail", "pickup", "electronic"],
    "where": {"zh": "广州市公安局出入境管理支队各受理点", "en": "Exit-entry offices"},
    "roles": {
        "clerk": {"department": "gz-gaj", "role": "window_clerk"},
        "approver": {"department": "gz-gaj", "role": "approver"},
    },
}

FORM: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["applicant_name", "id_number", "endorsement"],
    "x-order": ["applicant_name", "id_number", "phone", "endorsement", "trips"],
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
            "x-title-en": "Citizen ID number",
            "format": "citizen-id",
        },
        "phone": {"type": "string", "title": "手机号码", "x-title-en": "Mobile", "format": "phone"},
        "endorsement": {
            "type": "string",
            "title": "签注种类",
            "x-title-en": "Endorsement",
            "enum": ["hk", "macau"],
            "x-enum-labels": {
                "hk": {"zh": "香港", "en": "Hong Kong"},
                "macau": {"zh": "澳门", "en": "Macao"},
            },
        },
        "trips": {
            "type": "integer",
            "title": "签注次数",
            "x-title-en": "Number of trips",
            "minimum": 1,
            "maximum": 2,
        },
    },
}

# Does what the package declares: looks up its shared-data material, issues its licence.
BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="reendorsement" name="再次签注" isExecutable="true">
    <bpmn:startEvent id="start" name="提交申请"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="accept" name="受理" camunda:candidateGroups="{accept}">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="approve" name="审批" camunda:candidateGroups="{approve}">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end" name="办结"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="lookup" targetRef="accept"/>
    <bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="approve"/>
    <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="issue"/>
    <bpmn:sequenceFlow id="f4" sourceRef="issue" targetRef="end"/>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="lookup"/>
    <bpmn:serviceTask id="lookup" name="调取户籍信息" camunda:type="external"
        camunda:topic="exchange.lookup">
      <bpmn:extensionElements><camunda:inputOutput>
      <camunda:inputParameter name="resource">gz-gaj.household-registration</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="issue" name="签发签注" camunda:type="external"
        camunda:topic="licences.issue">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="licence_type">hk-macau-endorsement</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:serviceTask>
  </bpmn:process>
</bpmn:definitions>
"""


def service(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(SERVICE)
    data.update(changes)
    return data


def plain_service(**changes: Any) -> dict[str, Any]:
    """The package with nothing for its process to look up or issue (uploads only, a
    decision outcome): for a test's own process that has no exchange or licence tasks."""
    data = service(**changes)
    data.setdefault("materials", [])
    data["materials"] = [m for m in data["materials"] if m.get("source") != "exchange"]
    if "outcome" not in changes:
        data["outcome"] = {"type": "decision"}
    return data


def form(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(FORM)
    data.update(changes)
    return data


def bpmn(*, accept: str = "clerk", approve: str = "approver") -> str:
    return BPMN.replace("{accept}", accept).replace("{approve}", approve)


def files_for(
    definition: dict[str, Any] | None = None,
    schema: dict[str, Any] | None = None,
    process: str | None = None,
    *,
    service_text: str | None = None,
) -> dict[str, bytes]:
    definition = definition if definition is not None else service()
    files = {
        "service.yaml": (
            service_text
            if service_text is not None
            else yaml.safe_dump(definition, allow_unicode=True, sort_keys=False)
        ).encode(),
        "form.schema.json": json.dumps(
            schema if schema is not None else form(), ensure_ascii=False, indent=2
        ).encode(),
    }
    if process is not None:
        files["process.bpmn"] = process.encode()
    return files


def write_package(root: Path, files: dict[str, bytes], *, folder: str | None = None) -> Path:
    name = folder or yaml.safe_load(files["service.yaml"]).get("code", "pkg")
    target = root / name
    target.mkdir(parents=True, exist_ok=True)
    for filename, data in files.items():
        (target / filename).write_bytes(data)
    return target


def zip_of(packages: dict[str, dict[str, bytes]]) -> bytes:
    """``{folder: files}``; folder "" puts the files at the zip's root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for folder, files in packages.items():
            for filename, data in files.items():
                archive.writestr(f"{folder}/{filename}" if folder else filename, data)
    return buffer.getvalue()
