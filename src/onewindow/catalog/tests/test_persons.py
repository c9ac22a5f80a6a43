"""Persons named on a form, as the validator holds packages to it: the applicant's own
questions, the other persons declared under ``parties:``, the look-ups of them, and the
person-name rule for names."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from onewindow.catalog.forms import form_validate
from onewindow.catalog.packages import PackageSource, ValidationContext, package_load
from onewindow.catalog.packages.process import engine
from onewindow.catalog.persons import applicant_fields, lookup_subjects
from onewindow.testing.packages import files_for, form, service

needs_engine = pytest.mark.skipif(engine() is None, reason="case engine not available yet")

PARTNER_FIELDS = {
    "partner_name": {
        "type": "string",
        "title": "对方姓名",
        "x-title-en": "Partner",
        "maxLength": 50,
    },
    "partner_id_number": {
        "type": "string",
        "title": "对方公民身份号码",
        "x-title-en": "Partner's ID",
        "format": "citizen-id",
    },
}
PARTNER = {
    "code": "partner",
    "name": {"zh": "对方", "en": "Partner"},
    "fields": {"name": "partner_name", "id_number": "partner_id_number"},
}


def lookup_bpmn(subject: str, resource: str = "gz-gaj.household-registration") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="p" name="查询" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="Lookup_Hukou" name="查询户籍" camunda:type="external"
        camunda:topic="exchange.lookup">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="resource">{resource}</camunda:inputParameter>
        <camunda:inputParameter name="subject">{subject}</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:userTask id="accept" name="受理" camunda:candidateGroups="clerk">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="Lookup_Hukou"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Lookup_Hukou" targetRef="accept"/>
    <bpmn:sequenceFlow id="f3" sourceRef="accept" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def city() -> ValidationContext:
    return ValidationContext.from_demo_city()


def with_partner(**extra: Any) -> dict[str, Any]:
    schema = form()
    schema["properties"] = {**schema["properties"], **copy.deepcopy(PARTNER_FIELDS)}
    schema["properties"].update(extra)
    return schema


def problems_of(files: dict[str, bytes], city: ValidationContext) -> list[str]:
    source = PackageSource(label="pkg", folder_name="", files=files)
    return [str(p) for p in package_load(source, city).problems]


def test_the_applicants_questions_are_found_by_name_or_by_x_applicant():
    assert applicant_fields(form()) == {
        "name": "applicant_name",
        "id_number": "id_number",
        "phone": "phone",
    }
    schema = form()
    schema["properties"]["phone"]["x-applicant"] = False  # not the applicant's phone
    schema["properties"]["mobile"] = {
        "type": "string",
        "title": "手机",
        "x-title-en": "Mobile",
        "format": "phone",
        "x-applicant": "phone",
    }
    assert applicant_fields(schema)["phone"] == "mobile"


def test_subjects_of_a_look_up():
    assert lookup_subjects({}) == ["applicant"]
    assert lookup_subjects({"subject": "both_parties"}) == ["applicant", "partner"]
    assert lookup_subjects({"subject": "applicant, spouse"}) == ["applicant", "spouse"]


def test_a_citizen_id_of_nobody_declared_is_a_problem(city):
    found = problems_of(files_for(service(), with_partner()), city)
    assert any(
        "pkg/form.schema.json:" in p
        and "字段 partner_id_number（对方公民身份号码）是身份证号码，但既不是申请人本人的" in p
        for p in found
    ), found


def test_a_declared_party_passes(city):
    assert problems_of(files_for(service(parties=[PARTNER]), with_partner()), city) == []


def test_party_fields_must_be_questions_of_the_right_kind(city):
    party = {**PARTNER, "fields": {"name": "partner_nom", "id_number": "applicant_name"}}
    found = problems_of(files_for(service(parties=[party]), with_partner()), city)
    assert any("partner_nom 不是申请表（form.schema.json）顶层的字段。" in p for p in found)
    assert any("applicant_name 应为身份证号码字段（format: citizen-id）。" in p for p in found)
    assert any("applicant_name 是申请人本人的信息" in p for p in found)


def test_party_codes_and_resources_are_checked(city):
    parties = [
        {**PARTNER, "code": "applicant", "lookups": ["gz-nope.records"]},
    ]
    found = problems_of(files_for(service(parties=parties), with_partner()), city)
    assert any("applicant 是保留字，不能用作人员编码。" in p for p in found)
    assert any("未知的共享数据资源：gz-nope.records。" in p for p in found)


@needs_engine
def test_a_look_up_of_a_party_must_be_declared(city):
    files = files_for(service(parties=[PARTNER]), with_partner(), lookup_bpmn("applicant,partner"))
    found = problems_of(files, city)
    assert any(
        p.startswith("pkg/process.bpmn:")
        and "服务任务 查询户籍 查询人员 partner 的 gz-gaj.household-registration" in p
        for p in found
    ), found


@needs_engine
def test_a_declared_look_up_the_process_never_makes_is_a_problem(city):
    party = {**PARTNER, "lookups": ["gz-mzj.marital-status"]}
    files = files_for(service(parties=[party]), with_partner(), lookup_bpmn("applicant"))
    found = problems_of(files, city)
    assert any(
        "声明了查询 gz-mzj.marital-status，但流程中没有 exchange.lookup 任务以 subject partner" in p
        for p in found
    ), found


@needs_engine
def test_both_parties_needs_a_declared_partner(city):
    files = files_for(service(), form(), lookup_bpmn("both_parties"))
    found = problems_of(files, city)
    assert any("查询 partner 的数据：请在 service.yaml 的 parties 中声明此人" in p for p in found)


@needs_engine
def test_a_declared_look_up_passes(city):
    party = {**PARTNER, "lookups": ["gz-gaj.household-registration"]}
    definition = service(parties=[party], outcome={"type": "decision"})  # the BPMN issues none
    files = files_for(definition, with_partner(), lookup_bpmn("applicant,partner"))
    assert problems_of(files, city) == []


def test_x_applicant_must_be_a_kind_on_a_text_question(city):
    schema = form()
    schema["properties"]["applicant_name"]["x-applicant"] = "nickname"
    schema["properties"]["phone"]["x-applicant"] = "id_number"
    found = problems_of(files_for(service(), schema), city)
    assert any("x-applicant 应为 name、id_number、phone 之一或 false。" in p for p in found)
    assert any(
        "字段 phone 标为申请人的 id_number，应为 type: string、format: citizen-id。" in p
        for p in found
    ), found


def test_person_name_format_refuses_markup_and_is_known_to_the_validator(city):
    schema = with_partner()
    schema["properties"]["partner_name"]["format"] = "person-name"
    assert problems_of(files_for(service(parties=[PARTNER]), schema), city) == []
    errors = form_validate(schema=schema, data={"partner_name": "<b>李四</b>"})
    assert [(e.field, str(e.message)) for e in errors if e.field == "partner_name"] == [
        ("partner_name", "对方姓名：只能填写姓名，不能含有数字、“<”“>”等符号或控制字符")
    ]


def test_party_and_applicant_names_follow_the_rule_without_the_format():
    definition = service(parties=[PARTNER])
    errors = form_validate(
        schema=with_partner(),
        data={"applicant_name": "张<三", "partner_name": "李四\n"},
        definition=definition,
    )
    by_field = {e.field: e.code for e in errors}
    assert by_field["applicant_name"] == "format_person_name"
    assert by_field["partner_name"] == "format_person_name"
