"""Why a table decided: the matched rule, every input with where its value came from, and the
figures the rule compared — the material of a refusal that states the figure against the
standard, and of a check task's rule result."""

from __future__ import annotations

from typing import Any

from onewindow.workflow.decisions import table_problems
from onewindow.workflow.explain import Figure, number_text, table_explain, verdict_output

TABLE: dict[str, Any] = {
    "hit_policy": "FIRST",
    "inputs": [
        {
            "code": "hukou_guangzhou",
            "type": "boolean",
            "from": "exchange:gz-gaj.household-registration",
            "record": 'region_code.startswith("4401")',
            "not_found": False,
            "default": True,
        },
        {"code": "household_size", "type": "integer", "criterion": False},
        {
            "code": "housing_area_per_capita",
            "zh": "家庭人均住房建筑面积",
            "unit": {"zh": "平方米", "en": "m²"},
            "type": "number",
            "from": "exchange:gz-ghzyj.property-records",
            "record": "total_area / household_size",
        },
        {"code": "income_per_capita", "type": "number"},
    ],
    "outputs": [{"code": "eligible", "type": "boolean"}, {"code": "reason", "type": "text"}],
    "rules": [
        {"when": "not hukou_guangzhou", "then": {"eligible": False, "reason": "非本市户籍"}},
        {"when": "housing_area_per_capita >= 15", "then": {"eligible": False, "reason": "面积"}},
        {
            "when": "4 <= household_size <= 12 and 42000 < income_per_capita",
            "then": {"eligible": False, "reason": "收入"},
        },
        {
            "when": "income_per_capita / household_size > 20000",
            "explain": {
                "zh": "人均 {income_per_capita / household_size} 元，标准为不超过 20000 元"
            },
            "then": {"eligible": False, "reason": "人均"},
        },
        {"then": {"eligible": True, "reason": "符合"}},
    ],
}
RECORDS = {
    "exchange_gz_gaj_household_registration": {"applicant": {"region_code": "440104"}},
    "exchange_gz_ghzyj_property_records": {"applicant": {"property_count": 2, "total_area": 186}},
}


def test_the_figure_the_refusing_rule_compared_and_its_record():
    data = {**RECORDS, "household_size": 3, "income_per_capita": 1000}
    found = table_explain(TABLE, data, name="eligibility")
    assert found.rule == 1 and found.outputs == {"eligible": False, "reason": "面积"}
    assert found.figures == (Figure("housing_area_per_capita", 62.0, ">=", 15),)
    area = found.inputs["housing_area_per_capita"]
    assert (area.source, area.resource, area.fields) == (
        "record",
        "gz-ghzyj.property-records",
        ("total_area",),  # household_size came from the form, not the record
    )
    assert found.inputs["household_size"].source == "variable"
    assert found.inputs["hukou_guangzhou"].source == "record"


def test_a_negated_boolean_and_a_record_not_found():
    data = {
        **RECORDS,
        "exchange_gz_gaj_household_registration": {"applicant": None},
        "household_size": 3,
        "income_per_capita": 1000,
    }
    found = table_explain(TABLE, data, name="eligibility")
    assert found.figures == (Figure("hukou_guangzhou", False, "not"),)
    assert found.inputs["hukou_guangzhou"].source == "not_found"


def test_chains_and_constants_on_the_left_are_read_with_the_input_first():
    data = {**RECORDS, "exchange_gz_ghzyj_property_records": {"applicant": {"total_area": 20}}}
    found = table_explain(
        TABLE, {**data, "household_size": 4, "income_per_capita": 45000}, name="t"
    )
    assert found.rule == 2
    assert found.figures == (
        Figure("household_size", 4, ">=", 4),
        Figure("household_size", 4, "<=", 12),
        Figure("income_per_capita", 45000, ">", 42000),
    )


def test_a_computed_comparison_is_explained_by_the_rule_s_text():
    data = {**RECORDS, "exchange_gz_ghzyj_property_records": {"applicant": {"total_area": 20}}}
    found = table_explain(
        TABLE, {**data, "household_size": 2, "income_per_capita": 41000}, name="t"
    )
    assert found.rule == 3
    assert found.figures == ()  # income_per_capita / household_size is not one input
    assert found.explain == {"zh": "人均 20500 元，标准为不超过 20000 元"}


def test_an_input_without_a_value_leaves_the_table_undecided():
    found = table_explain(TABLE, {"household_size": 3}, name="t")
    assert not found.decided
    assert found.missing == ("housing_area_per_capita", "income_per_capita")
    assert found.inputs["hukou_guangzhou"].source == "default"


def test_numbers_print_as_a_letter_prints_them():
    assert [number_text(v) for v in (62.0, 18.5333, 54000, 0.001, -3.5)] == [
        "62",
        "18.53",
        "54000",
        "0",
        "-3.5",
    ]


def test_the_verdict_is_the_eligible_output_unless_the_table_names_another():
    assert verdict_output(TABLE) == "eligible"
    assert verdict_output({**TABLE, "outputs": [{"code": "reason", "type": "text"}]}) == ""


def test_the_explanation_keys_are_checked():
    assert table_problems(TABLE) == []
    broken = {
        **TABLE,
        "verdict": "reason",
        "inputs": [
            {**TABLE["inputs"][0], "unit": 3},
            {**TABLE["inputs"][1], "criterion": "no"},
            *TABLE["inputs"][2:],
        ],
        "rules": [
            {**TABLE["rules"][0], "explain": "户籍 {salary} 与 {hukou_guangzhou.__class__}"},
            *TABLE["rules"][1:],
        ],
    }
    found = table_problems(broken)
    problems = dict(found)
    assert problems[("verdict",)] == "verdict “reason” 应为一个布尔类型的输出列（表示是否符合）"
    assert problems[("inputs", 0, "unit")] == (
        "输入列 “hukou_guangzhou” 的单位（unit）应为文字或 {zh, en}"
    )
    assert problems[("inputs", 1, "criterion")] == (
        "输入列 “household_size” 的 criterion 应为 true 或 false"
    )
    assert [message for path, message in found if path == ("rules", 0, "explain")] == [
        "说明中的 {salary} 使用了未声明的输入：salary",
        "说明中的 {hukou_guangzhou.__class__} 无效：不允许访问属性 __class__",
    ]
