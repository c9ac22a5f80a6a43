"""Decision tables: first match wins, a default row catches the rest, problems are named,
and ``decisions.evaluate`` steers a process to either outcome."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from onewindow.workflow import ProcessRun
from onewindow.workflow.decisions import DecisionError, table_evaluate, table_problems

from .conftest import compiled_spec, open_by_element, stored, texts

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

TABLE: dict[str, Any] = {
    "hit_policy": "FIRST",
    "inputs": [
        {"code": "household_size", "type": "integer"},
        {"code": "income", "type": "number"},
        {"code": "hukou", "type": "boolean", "default": True},
    ],
    "outputs": [{"code": "eligible", "type": "boolean"}, {"code": "reason", "type": "text"}],
    "rules": [
        {"when": "not hukou", "then": {"eligible": False, "reason": "非本市户籍"}},
        {
            "when": "household_size == 1 and income > 55000",
            "then": {"eligible": False, "reason": {"zh": "收入超线", "en": "Income too high"}},
        },
        {"when": "income > 40000", "then": {"eligible": False, "reason": "第三条"}},
        {"then": {"eligible": True, "reason": "符合条件"}},
    ],
}


def test_the_first_matching_rule_wins() -> None:
    # 60000 matches rules 2 and 3: the earlier one decides
    result = table_evaluate(TABLE, {"household_size": 1, "income": 60000}, name="t")
    assert result == {"eligible": False, "reason": {"zh": "收入超线", "en": "Income too high"}}
    assert table_evaluate(TABLE, {"household_size": 2, "income": 45000})["reason"] == "第三条"


def test_the_default_row_catches_everything_else_and_defaults_fill_missing_inputs() -> None:
    assert table_evaluate(TABLE, {"household_size": 2, "income": 1000}) == {
        "eligible": True,
        "reason": "符合条件",
    }
    hukou_elsewhere = {"household_size": 2, "income": 1000, "hukou": False}
    assert table_evaluate(TABLE, hukou_elsewhere)["reason"] == "非本市户籍"


def test_no_match_and_missing_input_are_clear_errors() -> None:
    without_default = copy.deepcopy(TABLE)
    without_default["rules"].pop()
    with pytest.raises(DecisionError, match="没有命中任何规则"):
        table_evaluate(without_default, {"household_size": 2, "income": 1000}, name="t")
    with pytest.raises(DecisionError, match="缺少输入“income”"):
        table_evaluate(TABLE, {"household_size": 2}, name="t")


def test_input_expressions_compute_values_from_process_variables() -> None:
    table = copy.deepcopy(TABLE)
    table["inputs"][1]["expression"] = "annual_income / household_size"
    result = table_evaluate(table, {"household_size": 2, "annual_income": 100000})
    assert result["reason"] == "第三条"


def test_a_look_up_that_found_nothing_is_told_from_no_look_up() -> None:
    """``not_found`` applies when the household-registration look-up ran and had no record
    of the applicant; without a look-up the default (or the form) still counts."""
    table = copy.deepcopy(TABLE)
    table["inputs"][2] = {
        "code": "hukou",
        "type": "boolean",
        "from": "exchange:gz-gaj.household-registration",
        "record": 'region_code.startswith("4401")',
        "not_found": False,
        "default": True,
    }
    base = {"household_size": 2, "income": 1000}
    variable = "exchange_gz_gaj_household_registration"
    nothing = {**base, variable: {"applicant": None}, "hukou": True}  # the form says yes
    assert table_evaluate(table, nothing)["reason"] == "非本市户籍"
    assert table_evaluate(table, base)["eligible"] is True  # no look-up: the default
    found = {**base, variable: {"applicant": {"region_code": "440106"}}}
    assert table_evaluate(table, found)["eligible"] is True
    elsewhere = {**base, variable: {"applicant": {"region_code": "430102"}}}
    assert table_evaluate(table, elsewhere)["reason"] == "非本市户籍"
    broken = copy.deepcopy(TABLE)
    broken["inputs"][2]["not_found"] = False  # no exchange resource to have looked up
    assert any("not_found" in message for _where, message in table_problems(broken))


def test_a_sound_table_has_no_problems() -> None:
    assert table_problems(TABLE) == []


def test_broken_tables_are_explained_at_their_place() -> None:
    broken = copy.deepcopy(TABLE)
    broken["hit_policy"] = "COLLECT"
    broken["inputs"].append({"code": "bad-name"})
    broken["rules"][0]["when"] = "__import__('os')"
    broken["rules"][1]["when"] = "household_size == 1 and salary > 3"
    broken["rules"][2]["then"] = {"eligible": "yes", "colour": "red"}
    broken["rules"].append({"then": {"eligible": True, "reason": "多余"}})
    found = dict(table_problems(broken))
    assert "只支持 FIRST" in found[("hit_policy",)]
    assert "不是合法的变量名" in found[("inputs", 3, "code")]
    assert "条件无效" in found[("rules", 0, "when")]
    assert "未声明的输入：salary" in found[("rules", 1, "when")]
    assert "不是声明的输出列" in found[("rules", 2, "then", "colour")]
    assert "与类型 boolean 不符" in found[("rules", 2, "then", "eligible")]
    assert "没有给出输出：reason" in found[("rules", 2, "then")]
    assert "永远不会命中" in found[("rules", 4)]
    assert table_problems({"rules": []})  # no inputs, outputs or rules
    assert table_problems("not a table") == [((), "决策表应为映射（inputs、outputs、rules）")]


def _run(data: dict[str, Any]) -> tuple[dict[str, Any], ProcessRun, list[str]]:
    spec = compiled_spec("decision.bpmn")
    run = ProcessRun.start(spec, data=data, now=T0)
    context = {"case_id": 7, "decisions": {"eligibility": TABLE}}
    run = ProcessRun.restore(spec, stored(run))
    events = texts(run.advance(now=T0, context=context))
    return spec, run, events


def test_process_continues_to_the_confirmation_when_eligible() -> None:
    _spec, run, events = _run({"household_size": 3, "income": 20000})
    assert "action_done:evaluate" in events
    assert list(open_by_element(run)) == ["confirm"]
    assert run.data()["eligible"] is True
    assert run.data()["reason"] == "符合条件"
    assert not run.finished


def test_process_is_rejected_automatically_when_not_eligible() -> None:
    _spec, run, events = _run({"household_size": 1, "income": 90000})
    assert "action_done:evaluate" in events
    assert run.finished
    assert run.outcome() == "rejected"
    assert run.data()["reason"] == {"zh": "收入超线", "en": "Income too high"}
    assert run.open_user_tasks() == []


def test_a_missing_table_fails_the_step_and_it_can_be_retried() -> None:
    spec = compiled_spec("decision.bpmn")
    run = ProcessRun.start(spec, data={"household_size": 3, "income": 1}, now=T0)
    events = texts(run.advance(now=T0, context={"case_id": 7, "decisions": {}}))
    assert events == ["action_failed:evaluate"]
    assert not run.finished and run.open_user_tasks() == []
    events = texts(run.advance(now=T0, context={"case_id": 7, "decisions": {"eligibility": TABLE}}))
    assert "action_done:evaluate" in events
    assert list(open_by_element(run)) == ["confirm"]
