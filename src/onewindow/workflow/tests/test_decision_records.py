"""Decision-table inputs fed from exchange look-ups: ``from: exchange:<resource>`` with a
``record`` formula takes the applicant's looked-up record over the form's value; the form
counts only where no record exists, then the default."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.workflow.actions import exchange_variable
from onewindow.workflow.decisions import DecisionError, table_evaluate, table_problems

TABLE: dict[str, Any] = {
    "hit_policy": "FIRST",
    "inputs": [
        {"code": "household_size", "type": "integer"},
        {
            "code": "income_per_capita",
            "type": "number",
            "from": "exchange:gz-mzj.income-assets",
            "record": "monthly_income_per_capita * 12",
        },
        {
            "code": "owns_housing",
            "type": "boolean",
            "from": "exchange:gz-ghzyj.property-records",
            "record": "property_count > 0",
            "default": False,
        },
        {
            "code": "area_per_head",
            "type": "number",
            "from": "exchange:gz-ghzyj.property-records",
            "record": "total_area / household_size",  # the record's field, the form's size
            "default": 0,
        },
    ],
    "outputs": [{"code": "eligible", "type": "boolean"}, {"code": "why", "type": "text"}],
    "rules": [
        {"when": "owns_housing", "then": {"eligible": False, "why": "owns"}},
        {"when": "area_per_head >= 15", "then": {"eligible": False, "why": "area"}},
        {"when": "income_per_capita > 50000", "then": {"eligible": False, "why": "income"}},
        {"then": {"eligible": True, "why": "ok"}},
    ],
}
INCOME = exchange_variable("gz-mzj.income-assets")
PROPERTY = exchange_variable("gz-ghzyj.property-records")


def test_the_variable_name_of_a_resource() -> None:
    assert INCOME == "exchange_gz_mzj_income_assets"
    assert PROPERTY == "exchange_gz_ghzyj_property_records"


def test_the_record_wins_over_what_the_form_declares() -> None:
    declared = {"household_size": 2, "income_per_capita": 20000}
    data = {**declared, INCOME: {"applicant": {"monthly_income_per_capita": 6000}}}
    assert table_evaluate(TABLE, data)["why"] == "income"  # 72000, not the declared 20000
    data[PROPERTY] = {"applicant": {"property_count": 1, "total_area": 90}}
    assert table_evaluate(TABLE, data)["why"] == "owns"


def test_record_formulas_see_the_record_and_the_process_variables() -> None:
    data = {
        "household_size": 4,
        "income_per_capita": 0,
        PROPERTY: {"applicant": {"property_count": 0, "total_area": 40}},
    }
    assert table_evaluate(TABLE, data)["why"] == "ok"  # 10 m² a head
    data["household_size"] = 2
    assert table_evaluate(TABLE, data)["why"] == "area"  # 20 m² a head


def test_the_form_counts_where_no_record_exists() -> None:
    not_found = {"applicant": None}
    data = {"household_size": 1, "income_per_capita": 60000, INCOME: not_found}
    assert table_evaluate(TABLE, data)["why"] == "income"  # declared; property: defaults
    data["income_per_capita"] = 30000
    assert table_evaluate(TABLE, {**data, PROPERTY: not_found})["why"] == "ok"


def test_a_record_without_the_field_the_formula_needs_fails_clearly() -> None:
    data = {"household_size": 1, INCOME: {"applicant": {"vehicles": 1}}}
    with pytest.raises(DecisionError, match="income_per_capita"):
        table_evaluate(TABLE, data, name="eligibility")


def test_record_columns_are_checked() -> None:
    assert table_problems(TABLE) == []
    broken: dict[str, Any] = {
        **TABLE,
        "inputs": [
            {"code": "a", "type": "number", "record": "x * 2"},
            {
                "code": "b",
                "type": "number",
                "from": "exchange:gz-mzj.income-assets",
                "record": "x * 2",
                "expression": "y",
            },
            {"code": "c", "type": "number", "from": "exchange:gz-x.y", "record": "__import__"},
            {"code": "owns_housing", "type": "boolean"},
            {"code": "area_per_head", "type": "number"},
            {"code": "income_per_capita", "type": "number"},
        ],
    }
    found = {path: message for path, message in table_problems(broken)}
    assert "from: exchange:" in found[("inputs", 0, "from")]
    assert "不能同时有 expression 和 record" in found[("inputs", 1, "record")]
    assert "record 表达式无效" in found[("inputs", 2, "record")]
