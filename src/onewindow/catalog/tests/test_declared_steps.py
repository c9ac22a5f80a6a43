"""The validator's rule that a process does what its package declares: every shared-data
material is looked up, every outcome licence (and each one a 一件事 bundles) is issued; and
the whole demo catalogue keeps it."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from onewindow.catalog.packages import PackageSource, ValidationContext, package_load
from onewindow.catalog.packages.declared import (
    declared_licences,
    declared_lookups,
    process_does,
)
from onewindow.catalog.packages.licence_outcome import type_validity_problem
from onewindow.catalog.packages.process import engine
from onewindow.catalog.packages.source import sources_from_paths
from onewindow.catalog.packages.vocabulary import default_catalog_dir
from onewindow.testing.packages import BPMN, bpmn, files_for, service

pytestmark = pytest.mark.skipif(engine() is None, reason="case engine not available yet")

LOOKUP_MISSING = (
    "材料“户口簿信息”声明由共享获取（gz-gaj.household-registration），但流程中没有 "
    "exchange.lookup 任务查询它：受理时查不到这份材料，申请人也无从提交。"
)


def _issue_missing(code: str) -> str:
    return (
        f"办理结果声明核发 {code}，但流程中没有 licences.issue 任务（licence_type: {code}）"
        "签发它：准予后申请人的证照夹里不会有这份证照。"
    )


@pytest.fixture
def city() -> ValidationContext:
    return ValidationContext.from_demo_city()


def _load(city: ValidationContext, definition: dict[str, Any], process: str | None) -> Any:
    files = files_for(definition, process=process)
    return package_load(PackageSource(label="pkg", folder_name="", files=files), city)


def _line(definition: dict[str, Any], text: str) -> int:
    dumped = yaml.safe_dump(definition, allow_unicode=True, sort_keys=False).splitlines()
    return next(n for n, line in enumerate(dumped, 1) if text in line)


def _without(element_id: str) -> str:
    """The helper package's process without one of its service tasks (rewired around it)."""
    process = bpmn()
    start = process.index(f'<bpmn:serviceTask id="{element_id}"')
    end = process.index("</bpmn:serviceTask>", start) + len("</bpmn:serviceTask>")
    process = process[:start] + process[end:]
    if element_id == "lookup":
        process = process.replace(
            '<bpmn:sequenceFlow id="f1" sourceRef="lookup" targetRef="accept"/>', ""
        )
        return process.replace('targetRef="lookup"', 'targetRef="accept"')
    process = process.replace('<bpmn:sequenceFlow id="f4" sourceRef="issue" targetRef="end"/>', "")
    return process.replace('targetRef="issue"', 'targetRef="end"')


def test_the_helper_process_does_what_the_package_declares(city) -> None:
    assert "exchange.lookup" in BPMN and "licences.issue" in BPMN
    assert _load(city, service(), bpmn()).problems == []


def test_a_drawn_process_that_never_looks_up_a_material_is_refused_at_the_material(city):
    definition = service()
    package = _load(city, definition, _without("lookup"))
    line = _line(definition, "code: hukou")
    assert [str(p) for p in package.problems] == [f"pkg/service.yaml:{line}: {LOOKUP_MISSING}"]


def test_a_drawn_process_that_never_issues_the_outcome_licence_is_refused(city):
    definition = service()
    package = _load(city, definition, _without("issue"))
    line = _line(definition, "licence_type: hk-macau-endorsement")
    assert [str(p) for p in package.problems] == [
        f"pkg/service.yaml:{line}: {_issue_missing('hk-macau-endorsement')}"
    ]


def test_every_licence_a_bundle_lists_must_be_issued_and_known(city):
    outcome = {
        "type": "licence",
        "licence_type": "hk-macau-endorsement",
        "validity": "P3M",
        "bundle": [
            {"licence_type": "medical-insurance-certificate", "issuer": "gz-ybj"},
            {"licence_type": "no-such-licence"},
        ],
    }
    definition = service(outcome=outcome)
    found = [str(p) for p in _load(city, definition, bpmn()).problems]
    insurance = _line(definition, "licence_type: medical-insurance-certificate")
    unknown = _line(definition, "licence_type: no-such-licence")
    assert f"pkg/service.yaml:{insurance}: {_issue_missing('medical-insurance-certificate')}" in (
        found
    )
    assert f"pkg/service.yaml:{unknown}: 未知的证照类型：no-such-licence。" in found


def test_a_bundle_belongs_to_a_licence_outcome(city):
    definition = service(
        outcome={"type": "decision", "bundle": [{"licence_type": "household-register"}]}
    )
    found = [str(p) for p in _load(city, definition, None).problems]
    assert any(p.endswith("只有办理结果为证照时才写 bundle。") for p in found), found


def test_a_material_key_names_a_question_of_the_form(city):
    definition = service()
    definition["materials"][1]["key"] = "hukou_number"
    found = [str(p) for p in _load(city, definition, None).problems]
    line = _line(definition, "key: hukou_number")
    assert (
        f"pkg/service.yaml:{line}: key hukou_number 不是申请表（form.schema.json）中的字段。"
        in (found)
    )


def test_a_drawn_look_up_of_a_keyed_material_must_pass_the_key(city):
    definition = service()
    definition["materials"][1]["key"] = "id_number"
    found = [str(p) for p in _load(city, definition, bpmn()).problems]
    line = _line(definition, "key: id_number")
    assert found == [
        f"pkg/service.yaml:{line}: 材料“户口簿信息”按申请表的 id_number 查找记录，但流程中查询 "
        "gz-gaj.household-registration 的 exchange.lookup 任务没有传入 key：申请人的任何一份记录"
        "都会被当作这一份。"
    ]
    keyed = bpmn().replace(
        '<camunda:inputParameter name="resource">gz-gaj.household-registration',
        '<camunda:inputParameter name="key">${id_number}</camunda:inputParameter>'
        '<camunda:inputParameter name="resource">gz-gaj.household-registration',
    )
    assert _load(city, definition, keyed).problems == []


def test_the_default_process_does_what_the_package_declares(city):
    package = _load(city, service(), None)
    assert package.problems == [] and package.bpmn_is_default
    looked, issued = process_does(package.process_spec["service_tasks"])
    assert looked == {"gz-gaj.household-registration": {"applicant"}}
    assert issued == {"hk-macau-endorsement"}


def test_every_catalogue_package_does_what_it_declares(city):
    """The rule check over the whole catalogue: each shared-data material is looked up by
    the process (its declaring parties too), each outcome licence is issued, and every
    licence type a package issues has its validity."""
    sources, problems = sources_from_paths([default_catalog_dir()])
    assert problems == [] and len(sources) >= 132
    types = city.vocabulary.licence_types
    for source in sources:
        package = package_load(source, city)
        code = package.code
        rule = [str(p) for p in package.problems if "流程中没有" in p.message]
        assert rule == [], code
        looked, issued = process_does(package.process_spec.get("service_tasks") or {})
        for item in declared_lookups(package.definition):
            assert set(item.subjects) <= looked.get(item.resource, set()) or (
                item.resource in looked and item.subjects == ("applicant",)
            ), (code, item.resource)
        for licence in declared_licences(package.definition):
            assert licence.licence_type in issued, (code, licence.licence_type)
            assert type_validity_problem(types[licence.licence_type].get("validity")) is None
        limit = package.definition["time_limit"]
        assert limit["statutory_days"] >= limit["promised_days"], code


def test_family_planning_services_are_fully_online(city):
    sources, _problems = sources_from_paths([default_catalog_dir()])
    found = {}
    for source in sources:
        package = package_load(source, city)
        if "计划生育" in package.definition["name"]["zh"]:
            found[package.code] = package
    assert set(found) >= {"family-planning-reward", "family-planning-rural-support"}
    assert {code: p.definition["online_depth"] for code, p in found.items()} == {
        code: 4 for code in found
    }
    rural = found["family-planning-rural-support"]
    assert rural.problems == [] and rural.bpmn_is_default
    looked, _issued = process_does(rural.process_spec["service_tasks"])
    assert set(looked) == {
        "gz-gaj.identity",
        "gz-gaj.household-registration",
        "gz-mzj.marital-status",
        "gz-wjw.birth-registration",
    }
