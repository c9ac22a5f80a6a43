"""A package whose decision table refuses by itself must name the remedies its refusal letter
tells the applicant: the reconsideration body and the court (``refusal:`` in service.yaml);
``refusal.letter`` chooses the letter (licensing or approval), unknown keys are refused."""

from __future__ import annotations

import pytest

from onewindow.catalog.packages import ValidationContext, package_load
from onewindow.catalog.packages.process import engine
from onewindow.catalog.tests.test_decision_tables import housing, with_file

pytestmark = pytest.mark.skipif(engine() is None, reason="case engine not available")
SERVICE = "service.yaml"
BLOCK = """refusal:
  letter: approval
  reconsideration: {zh: 广州市人民政府, en: Guangzhou Municipal People's Government}
  court: {zh: 广州铁路运输法院, en: Guangzhou Railway Transport Court}
"""


@pytest.fixture
def city() -> ValidationContext:
    return ValidationContext.from_demo_city()


def service_text() -> str:
    text = housing().files[SERVICE].decode()
    assert BLOCK in text
    return text


def problems(text: str, city: ValidationContext) -> list[str]:
    return [str(p) for p in package_load(with_file(housing(), SERVICE, text), city).problems]


def test_the_housing_package_names_its_remedies(city):
    assert problems(service_text(), city) == []


def test_an_automatic_refusal_without_remedies_is_a_problem(city):
    text = service_text().replace(BLOCK, "")
    line = text.splitlines().index("outcome: {type: decision}") + 1  # where it would go
    assert problems(text, city) == [
        f"pkg/service.yaml:{line}: 流程由决策表自动作出不予决定，须在 refusal 中写明"
        "行政复议机关（reconsideration）、管辖法院（court），不予决定书据此告知申请人救济途径。"
    ]


def test_a_missing_court_is_named_at_the_refusal_block(city):
    text = service_text()
    line = text.splitlines().index("refusal:") + 1
    text = text.replace(
        "  court: {zh: 广州铁路运输法院, en: Guangzhou Railway Transport Court}\n", ""
    )
    assert problems(text, city) == [
        f"pkg/service.yaml:{line}: 流程由决策表自动作出不予决定，须在 refusal 中写明"
        "管辖法院（court），不予决定书据此告知申请人救济途径。"
    ]


def test_the_letter_kind_and_unknown_keys_are_checked(city):
    text = service_text().replace("  letter: approval\n", "  letter: permit\n  courts: x\n")
    line = text.splitlines().index("  letter: permit") + 1
    assert problems(text, city) == [
        f"pkg/service.yaml:{line - 1}: 不允许填写未定义的项目：courts。",
        f"pkg/service.yaml:{line}: 「refusal.letter」只能是以下之一：licensing、approval。",
    ]
