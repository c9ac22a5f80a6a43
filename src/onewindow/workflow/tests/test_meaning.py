"""Parallel approval that means what the drawing says: department findings, rejections that
end the case, sign-offs over departments chosen on the form, and Camunda Modeler's own file
shapes (a second pool called from the first, inclusive gateways, variable mappings)."""

from __future__ import annotations

from uuid import UUID

import pytest

from onewindow.workflow import ProcessRun, compile_process

from .conftest import bpmn, compiled_spec, open_by_element


def _only(run: ProcessRun, element: str) -> str:
    uids = open_by_element(run)[element]
    assert len(uids) == 1, open_by_element(run)
    return uids[0]


FINDINGS_OK = {
    "income_check": {"decision": "approve", "income_ok": True, "monthly_income": 900},
    "housing_check": {"decision": "approve", "housing_ok": True},
    "hukou_check": {"decision": "approve", "hukou_ok": "yes"},
}


def _after_accept(roundtrip) -> tuple[dict, ProcessRun]:
    spec = compiled_spec("findings_parallel.bpmn")
    run = ProcessRun.start(spec, data={"applicant_name": "林晓琳"})
    run = roundtrip(spec, run, _only(run, "accept"), {"decision": "approve"})
    assert set(open_by_element(run)) == {"income_check", "housing_check", "hukou_check"}
    return spec, run


def test_task_forms_from_camunda_form_data_are_in_the_spec() -> None:
    spec = compiled_spec("findings_parallel.bpmn")
    income = spec["user_tasks"]["income_check"]["form"]
    assert income["required"] == ["income_ok"]
    assert income["properties"]["income_ok"] == {"type": "boolean", "title": "收入和财产符合条件"}
    assert income["properties"]["monthly_income"]["type"] == "integer"
    hukou = spec["user_tasks"]["hukou_check"]["form"]["properties"]["hukou_ok"]
    assert hukou["enum"] == ["yes", "no"]
    assert hukou["enumNames"] == ["是本市户籍", "不是本市户籍"]
    assert "form" not in spec["user_tasks"]["sign"]


def test_package_task_form_merges_with_the_bpmn_one() -> None:
    extra = {
        "type": "object",
        "properties": {"checked_rooms": {"type": "integer", "title": "核查房屋套数"}},
        "required": ["checked_rooms"],
    }
    result = compile_process(
        bpmn("findings_parallel.bpmn"),
        filename="findings_parallel.bpmn",
        task_forms={"housing_check": extra},
    )
    form = result.spec["user_tasks"]["housing_check"]["form"]
    assert set(form["properties"]) == {"housing_ok", "checked_rooms"}
    assert form["required"] == ["housing_ok", "checked_rooms"]


def test_department_findings_decide_the_gateway_after_the_join(roundtrip) -> None:
    spec, run = _after_accept(roundtrip)
    for element, values in FINDINGS_OK.items():
        run = roundtrip(spec, run, _only(run, element), values)
    assert set(open_by_element(run)) == {"sign"}
    run = roundtrip(spec, run, _only(run, "sign"), {"decision": "approve"})
    assert run.finished and run.outcome() == "approved"
    assert run.data()["monthly_income"] == 900


def test_a_negative_finding_takes_the_rejected_path(roundtrip) -> None:
    spec, run = _after_accept(roundtrip)
    for element, values in FINDINGS_OK.items():
        if element == "housing_check":
            values = {"decision": "approve", "housing_ok": False}
        run = roundtrip(spec, run, _only(run, element), values)
    assert run.finished and run.outcome() == "rejected"


def test_a_departments_rejection_in_a_parallel_branch_ends_the_case(roundtrip) -> None:
    spec, run = _after_accept(roundtrip)
    run = roundtrip(spec, run, _only(run, "income_check"), FINDINGS_OK["income_check"])
    run = roundtrip(
        spec, run, _only(run, "hukou_check"), {"decision": "reject", "comment": "非本市户籍"}
    )
    assert run.finished and run.outcome() == "rejected"
    assert run.open_user_tasks() == []  # housing's check is cancelled, no approver's task
    assert run.next_timer_at() is None


def test_rejecting_the_last_step_ends_rejected_not_at_the_approved_end(roundtrip) -> None:
    spec, run = _after_accept(roundtrip)
    for element, values in FINDINGS_OK.items():
        run = roundtrip(spec, run, _only(run, element), values)
    run = roundtrip(spec, run, _only(run, "sign"), {"decision": "reject", "comment": "材料不实"})
    assert run.finished and run.outcome() == "rejected"


def test_a_routed_rejection_follows_the_drawing(roundtrip) -> None:
    """parallel_departments.bpmn tests ``decision`` after each department: that routing is
    the process's own, and its rejected end is reached."""
    spec = compiled_spec("parallel_departments.bpmn")
    assert spec["user_tasks"]["market"]["routes_rejection"] is True
    assert spec["user_tasks"]["conclude"]["routes_rejection"] is False
    run = ProcessRun.start(spec, data={})
    run = roundtrip(spec, run, _only(run, "accept"), {"decision": "approve"})
    run = roundtrip(spec, run, _only(run, "tax"), {"decision": "reject", "comment": "欠税"})
    assert run.finished and run.outcome() == "rejected"


SIGNOFF_FORM = {
    "project_name": "白云区某厂房扩建",
    "needs_fire": True,
    "needs_environment": False,
    "co_departments": ["gz-scjgj", "gz-wjw:approver"],
}


def _to_signoff(roundtrip) -> tuple[dict, ProcessRun]:
    spec = compiled_spec("modeler_signoff.bpmn")
    run = ProcessRun.start(spec, data=dict(SIGNOFF_FORM))
    run = roundtrip(spec, run, _only(run, "accept"), {"decision": "approve"})
    # inclusive split: planning (no condition: always) and fire (asked for), not environment
    assert set(open_by_element(run)) == {"planning", "fire"}
    run = roundtrip(spec, run, _only(run, "planning"), {"decision": "approve"})
    assert set(open_by_element(run)) == {"fire"}  # the inclusive join waits for fire only
    run = roundtrip(spec, run, _only(run, "fire"), {"decision": "approve"})
    return spec, run


def test_signoff_instances_go_to_the_departments_chosen_on_the_form(roundtrip) -> None:
    _spec, run = _to_signoff(roundtrip)
    tasks = sorted(run.open_user_tasks(), key=lambda t: t.instance_index or 0)
    assert [(t.element_id, t.instance_index, t.candidate_groups) for t in tasks] == [
        ("co_sign", 0, ("gz-scjgj",)),
        ("co_sign", 1, ("gz-wjw:approver",)),
    ]


def test_one_signers_rejection_is_a_veto(roundtrip) -> None:
    spec, run = _to_signoff(roundtrip)
    first, _second = sorted(run.open_user_tasks(), key=lambda t: t.instance_index or 0)
    run = roundtrip(spec, run, first.uid, {"decision": "reject", "comment": "不符合规划"})
    assert run.finished and run.outcome() == "rejected"
    assert run.open_user_tasks() == []


def test_signoff_then_call_activity_into_the_second_pool_with_mappings(roundtrip) -> None:
    spec, run = _to_signoff(roundtrip)
    for task in run.open_user_tasks():
        run = roundtrip(spec, run, task.uid, {"decision": "approve"})
    assert set(open_by_element(run)) == {"print"}  # the second pool of the same file
    printing = run.open_user_tasks()[0]
    assert printing.candidate_groups == ("gz-zjj:window_clerk",)
    inner = run.workflow.get_task_from_id(UUID(printing.uid))
    assert inner.data == {"title": "白云区某厂房扩建"}  # camunda:in: only the mapped variable
    run = roundtrip(
        spec, run, printing.uid, {"decision": "approve", "permit_no": "穗建审〔2026〕8号"}
    )
    assert run.finished and run.outcome() == "approved"
    data = run.data()
    assert data["permit_number"] == "穗建审〔2026〕8号"  # camunda:out
    assert "title" not in data and "permit_no" not in data


def _with_sign_off_all(text: bytes) -> bytes:
    return text.replace(
        b'camunda:candidateGroups="${dept}">',
        b'camunda:candidateGroups="${dept}"><bpmn:extensionElements><camunda:properties>'
        b'<camunda:property name="signOff" value="all" /></camunda:properties>'
        b"</bpmn:extensionElements>",
    )


def test_collect_every_opinion_waits_for_all_signers_then_ends_rejected(roundtrip) -> None:
    source = _with_sign_off_all(bpmn("modeler_signoff.bpmn"))
    assert b'value="all"' in source
    result = compile_process(source, filename="modeler_signoff.bpmn")
    assert result.problems == []
    spec = result.spec
    run = ProcessRun.start(spec, data=dict(SIGNOFF_FORM))
    for element in ("accept", "planning", "fire"):
        run = roundtrip(spec, run, _only(run, element), {"decision": "approve"})
    first, second = sorted(run.open_user_tasks(), key=lambda t: t.instance_index or 0)
    run = roundtrip(spec, run, first.uid, {"decision": "reject", "comment": "不同意"})
    assert [t.uid for t in run.open_user_tasks()] == [second.uid]  # still collecting
    run = roundtrip(spec, run, second.uid, {"decision": "approve", "comment": "同意"})
    assert run.finished and run.outcome() == "rejected"
    assert run.data()["decisions"] == ["reject", "approve"]
    assert run.data()["comments"] == ["不同意", "同意"]


def test_both_pools_executable_the_uncalled_one_runs() -> None:
    source = bpmn("modeler_signoff.bpmn").replace(b'isExecutable="false"', b'isExecutable="true"')
    assert source != bpmn("modeler_signoff.bpmn")
    result = compile_process(source, filename="modeler_signoff.bpmn")
    assert result.problems == [] and result.process_id == "joint_review"


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ("${signer}", "表达式只能是它的元素变量"),
        ("${dept}:approver", None),
    ],
)
def test_per_instance_groups_name_the_element_variable(groups: str, message: str | None) -> None:
    source = bpmn("modeler_signoff.bpmn").replace(
        b'camunda:candidateGroups="${dept}"', f'camunda:candidateGroups="{groups}"'.encode()
    )
    problems = [p.message for p in compile_process(source, filename="x.bpmn").problems]
    if message is None:
        assert problems == []
    else:
        assert len(problems) == 1 and message in problems[0]


def test_a_missing_variable_names_the_element_and_the_variable_in_chinese() -> None:
    from onewindow.workflow import EngineError

    spec = compiled_spec("form_gateway.bpmn")
    with pytest.raises(EngineError) as caught:
        ProcessRun.start(spec, data={"income": 100})
    assert str(caught.value.message) == (
        "流程在“gw”（gw）无法继续：条件读取的变量 household_size 没有值（申请表、任务表单、"
        "决策表或之前的服务任务都没有设置它）。请修正流程或申请表后重试。"
    )
