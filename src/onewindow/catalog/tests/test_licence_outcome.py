"""The validator checks what a package's licence states: the licence type's validity and
issuing department (vocabulary.yaml), and the outcome's issuer, validity and particulars
against the form."""

from __future__ import annotations

import copy
import dataclasses
import datetime
from typing import Any

import pytest
import yaml

from onewindow.catalog.packages import PackageSource, ValidationContext, package_load
from onewindow.catalog.packages.licence_outcome import (
    Period,
    period_parse,
    type_validity_problem,
    validity_last_day,
)
from onewindow.catalog.packages.vocabulary import Vocabulary
from onewindow.testing.demo_packages import catalog_dir


@pytest.fixture
def city() -> ValidationContext:
    return ValidationContext.from_demo_city()


def _files(folder: str) -> dict[str, bytes]:
    root = catalog_dir() / folder
    return {path.name: path.read_bytes() for path in root.iterdir() if path.is_file()}


def _problems(
    city: ValidationContext, folder: str = "hk-macau-reendorsement", **outcome: Any
) -> list[str]:
    files = _files(folder)
    if outcome:
        data = yaml.safe_load(files["service.yaml"])
        data["outcome"] = {**data["outcome"], **outcome}
        data["outcome"] = {k: v for k, v in data["outcome"].items() if v is not None}
        files["service.yaml"] = yaml.safe_dump(data, allow_unicode=True).encode()
    source = PackageSource(label=folder, folder_name=folder, files=files)
    return [str(p) for p in package_load(source, city).problems]


def _periods(**changes: Any) -> dict[str, Any]:
    periods = {"3m1": "P3M", "1y1": "P1Y", "1y2": "P1Y", **changes}
    return {"answer": "validity", "periods": {k: v for k, v in periods.items() if v}}


@pytest.mark.parametrize(
    "folder",
    [
        "hk-macau-reendorsement",
        "marriage-registration",
        "company-registration-one-stop",
        "completion-joint-acceptance",
        "enterprise-investment-approval",
        "graduate-employment-express",
        "taiwan-permit-endorsement",
        "vehicle-inspection-mark",
        "hazardous-waste-licence",
        "lease-registration",
    ],
)
def test_the_catalogues_licence_declarations_are_valid(city, folder):
    assert _problems(city, folder) == []


def test_every_choice_of_the_validity_question_has_a_period(city):
    problems = _problems(city, validity=_periods(**{"1y2": None}))
    assert any("未对选项 1y2 写明" in p for p in problems), problems
    problems = _problems(city, validity=_periods(**{"2y9": "P2Y"}))
    assert any("2y9 不是 validity 的选项" in p for p in problems), problems
    problems = _problems(city, validity=_periods(**{"1y1": "one year"}))
    assert any("有效期 one year 应为 none" in p for p in problems), problems
    problems = _problems(city, validity={"answer": "destination2", "periods": {"x": "P1Y"}})
    assert any("destination2 不是申请表" in p for p in problems), problems


def test_a_type_whose_validity_the_decision_sets_needs_it_declared(city):
    problems = _problems(city, validity=None)
    assert any(
        "hk-macau-endorsement 的有效期由审批决定" in p and "service.yaml:" in p for p in problems
    ), problems


def test_the_issuer_the_law_names_cannot_be_replaced(city):
    problems = _problems(city, issuer="gz-mzj")
    assert any("依法由 gz-gaj 签发" in p for p in problems), problems
    assert any("部门 gz-nowhere 不存在" in p for p in _problems(city, issuer="gz-nowhere"))


def test_particulars_name_questions_of_the_form(city):
    problems = _problems(city, particulars=[{"label": {"zh": "去向"}, "answer": "where_to"}])
    assert any("where_to 不是申请表" in p for p in problems), problems
    values = [
        {"label": {"zh": "每次逗留"}, "answer": "endorsement_type", "values": {"g": {"zh": "7"}}}
    ]
    problems = _problems(city, particulars=values)
    assert any("未对选项 tourism、individual、business、family 写明" in p for p in problems)


def test_a_validity_to_a_date_answered_needs_a_date_question(city):
    assert _problems(city, "lease-registration") == []
    problems = _problems(city, "lease-registration", validity={"until": "rent"})
    assert any("rent 应为申请表中的日期题" in p for p in problems), problems


def test_licence_keys_only_on_a_licence_outcome(city):
    files = _files("hk-macau-reendorsement")
    data = yaml.safe_load(files["service.yaml"])
    data["outcome"] = {"type": "decision", "validity": "P1Y"}
    files["service.yaml"] = yaml.safe_dump(data, allow_unicode=True).encode()
    source = PackageSource(label="x", folder_name="hk-macau-reendorsement", files=files)
    problems = [str(p) for p in package_load(source, city).problems]
    assert any("只有办理结果为证照时才写 validity" in p for p in problems), problems


def test_a_licence_type_without_a_validity_is_reported(city):
    types = copy.deepcopy(city.vocabulary.licence_types)
    del types["hk-macau-endorsement"]["validity"]
    vocab = dataclasses.replace(city.vocabulary, licence_types=types)
    assert isinstance(vocab, Vocabulary)
    problems = _problems(dataclasses.replace(city, vocabulary=vocab))
    assert any("未声明有效期" in p for p in problems), problems


def test_every_licence_type_in_the_vocabulary_declares_a_well_formed_validity(city):
    bad = {
        code: type_validity_problem(entry.get("validity"))
        for code, entry in city.vocabulary.licence_types.items()
        if type_validity_problem(entry.get("validity"))
    }
    assert bad == {}
    assert city.vocabulary.licence_types["marriage-certificate"]["validity"] == "none"
    assert city.vocabulary.licence_types["settlement-approval"]["validity"] == "P40D"


@pytest.mark.parametrize(
    "rule,issued,born,last",
    [
        ("P1Y", datetime.date(2026, 12, 1), None, datetime.date(2027, 11, 30)),
        ("P3M", datetime.date(2026, 11, 30), None, datetime.date(2027, 2, 27)),
        ("P40D", datetime.date(2026, 12, 1), None, datetime.date(2027, 1, 9)),
        ("none", datetime.date(2026, 12, 1), None, None),
        (
            {"by_age": [[0, "P5Y"], [16, "P10Y"], [26, "P20Y"], [46, "none"]]},
            datetime.date(2026, 12, 1),
            datetime.date(2000, 12, 2),  # 25 the day before their birthday
            datetime.date(2036, 11, 30),
        ),
        (
            {"by_age": [[0, "P5Y"], [16, "P10Y"], [26, "P20Y"], [46, "none"]]},
            datetime.date(2026, 12, 1),
            datetime.date(1970, 1, 1),
            None,
        ),
    ],
)
def test_the_last_valid_day(rule, issued, born, last):
    assert validity_last_day(rule, issued=issued, birth_date=born) == last


def test_periods():
    assert period_parse("P1Y") == Period(years=1)
    assert period_parse("P1Y6M") == Period(years=1, months=6)
    assert period_parse("P") is None and period_parse("1Y") is None and period_parse("P0D") is None
