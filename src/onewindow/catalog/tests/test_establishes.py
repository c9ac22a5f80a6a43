"""``establishes:`` (an application that creates a company) and ``company:<question>``
candidate groups (a step a company takes) are checked against the package's form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from onewindow.catalog.packages import PackageSource, ValidationContext, package_load
from onewindow.catalog.packages.source import source_from_folder
from onewindow.testing.packages import bpmn, files_for, form, service

CATALOG = Path(__file__).resolve().parents[4] / "catalog"


@pytest.fixture
def city() -> ValidationContext:
    return ValidationContext.from_demo_city()


def problems(definition: dict, city: ValidationContext, **files: Any) -> list[str]:
    source = PackageSource(label="pkg", folder_name="", files=files_for(definition, **files))
    return [str(p).split(": ", 1)[1] for p in package_load(source, city).problems]


def test_establishes_reads_questions_of_the_form_and_a_declared_party(city):
    ok = {"kind": "company", "name": "applicant_name"}
    assert problems(service(kind="personal", establishes=ok), city) == []
    wrong = {
        "kind": "company",
        "name": "proposed_name",
        "region": "district",
        "legal_representative": "legal_representative",
    }
    assert problems(service(kind="personal", establishes=wrong), city) == [
        "proposed_name 不是申请表（form.schema.json）中的字段。",
        "district 不是申请表（form.schema.json）中的字段。",
        "legal_representative 不是 parties 中声明的相关人。",
    ]


def test_an_establishment_is_the_applicants_own(city):
    spec = {"kind": "company", "name": "phone"}
    found = problems(service(kind="enterprise", establishes=spec), city)
    assert found == ["设立类事项（establishes）由拟任法定代表人本人申请，kind 应为 personal。"]


def test_a_company_group_names_a_uscc_question(city):
    schema = form()
    schema["properties"]["employer_uscc"] = {
        "type": "string",
        "title": "用人单位统一社会信用代码",
        "x-title-en": "Employer's USCC",
        "format": "uscc",
    }
    ok = problems(service(), city, schema=schema, process=bpmn(accept="company:employer_uscc"))
    assert ok == []
    found = problems(service(), city, schema=schema, process=bpmn(accept="company:phone"))
    assert [p for p in found if "候选组" in p] == [
        "候选组 company:phone（任务 受理）"
        "须指向申请表中填写统一社会信用代码（format: uscc）的问题。"
    ]


@pytest.mark.parametrize("code", ["company-establishment", "company-registration-one-stop"])
def test_the_catalogues_establishment_packages_are_personal(city, code):
    source, found = source_from_folder(CATALOG / code)
    loaded = package_load(source, city)
    assert found == []
    assert loaded.problems == []
    assert loaded.definition["kind"] == "personal"
    assert loaded.definition["establishes"]["legal_representative"] == "legal_representative"
