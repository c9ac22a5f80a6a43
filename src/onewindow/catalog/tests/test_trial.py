"""``service_try``: a package's process run through its paths without the database (no
``django_db`` here: any query would fail the test), decision tables for real, other actions
faked, a fake clock."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onewindow.catalog.packages import ValidationContext, package_load, sources_from_paths
from onewindow.catalog.packages.vocabulary import default_catalog_dir
from onewindow.catalog.trial import (
    TrialPackage,
    TrialReport,
    trial_answers_sample,
    trial_duration,
    trial_explore,
    trial_package_load,
    trial_path_parse,
)
from onewindow.catalog.trialreport import trial_as_json, trial_as_text
from onewindow.testing import packages
from onewindow.workflow import ProcessRun, compile_process, registered_actions
from onewindow.workflow.actions import get_action

CATALOG = default_catalog_dir()
ELIGIBLE = {"household_size": 2, "monthly_income": 3000, "financial_assets": 10000}
START = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def low_income() -> TrialPackage:
    return trial_package_load(path=CATALOG / "low-income-family")


@pytest.fixture(scope="module")
def investment() -> TrialPackage:
    return trial_package_load(path=CATALOG / "enterprise-investment-approval")


@pytest.fixture(scope="module")
def graduate() -> TrialPackage:
    return trial_package_load(path=CATALOG / "graduate-employment-express")


def outcomes(report: TrialReport) -> list[tuple[str, str]]:
    return [(",".join(path.choices), path.status) for path in report.paths]


def tasks_of(report: TrialReport, number: int) -> list[tuple[str, str, str]]:
    return [
        (step.element, step.assignee, step.decision)
        for step in report.paths[number - 1].steps
        if step.kind == "task"
    ]


def step_result(report: TrialReport, number: int, element: str) -> dict[str, Any]:
    return next(s.result for s in report.paths[number - 1].steps if s.element == element)


# -- catalog/low-income-family: the decision table decides ------------------------------------
def test_sample_answers_fall_under_the_dibao_line(low_income):
    report = trial_explore(package=low_income, start=START)
    assert outcomes(report) == [
        ("approve,approve,approve,approve", "rejected"),
        ("approve,approve,approve,reject", "rejected"),
        ("approve,approve,reject", "rejected"),
        ("approve,reject", "rejected"),
        ("reject", "rejected"),
    ]
    table = step_result(report, 1, "Evaluate_Eligibility")
    assert table["eligible"] is False
    assert table["reason"]["zh"].startswith("家庭人均月收入不高于本市最低生活保障标准（1380元）")
    assert report.paths[0].end_events == ["End_Rejected"]
    assert report.paths[1].end_events == []  # a rejection nobody routes ends the case at once
    assert report.unreached_user_tasks == ["Task_Decide"]
    assert report.unreached_end_events == ["End_Approved", "Timer_Income_End"]
    assert not report.stuck and not report.truncated


def test_an_eligible_household_reaches_the_final_decision(low_income):
    answers = {**trial_answers_sample(low_income.form_schema), **ELIGIBLE}
    report = trial_explore(package=low_income, answers=answers, start=START)
    assert outcomes(report) == [
        ("approve,approve,approve,approve,approve", "approved"),
        ("approve,approve,approve,approve,reject", "rejected"),
        ("approve,approve,approve,reject", "rejected"),
        ("approve,approve,reject", "rejected"),
        ("approve,reject", "rejected"),
        ("reject", "rejected"),
    ]
    assert tasks_of(report, 1) == [
        ("Task_Accept", "gz-mzj:window_clerk", "approve"),
        ("Task_Hukou", "gz-gaj:window_clerk", "approve"),
        ("Task_Property", "gz-ghzyj:window_clerk", "approve"),
        ("Task_Income", "gz-mzj:approver", "approve"),
        ("Task_Decide", "gz-mzj:approver", "approve"),
    ]
    assert step_result(report, 1, "Evaluate_Eligibility")["eligible"] is True
    assert report.paths[0].end_events == ["End_Approved"]
    assert report.paths[1].end_events == ["End_Rejected"]  # routed by Gw_Decide
    assert report.unreached_user_tasks == []
    assert report.unreached_end_events == ["Timer_Income_End"]  # nobody waited 10 days


def test_looked_up_records_win_over_the_form(low_income):
    answers = {**trial_answers_sample(low_income.form_schema), **ELIGIBLE}
    report = trial_explore(
        package=low_income,
        answers=answers,
        records={"gz-gaj.household-registration": None},  # not registered in the city
        path=trial_path_parse("approve,approve,approve,approve"),
        start=START,
    )
    assert outcomes(report) == [("approve,approve,approve,approve", "rejected")]
    table = step_result(report, 1, "Evaluate_Eligibility")
    assert table["reason"]["zh"].startswith("申请人非本市户籍")


def test_waiting_lets_the_reminder_fire(low_income):
    answers = {**trial_answers_sample(low_income.form_schema), **ELIGIBLE}
    report = trial_explore(
        package=low_income,
        answers=answers,
        wait=trial_duration("P15D"),
        path=trial_path_parse("approve,approve,approve,approve,approve"),
        start=START,
    )
    steps = report.paths[0].steps
    timers = [(s.element, s.at) for s in steps if s.kind == "timer"]
    assert timers == [("Timer_Income", START + datetime.timedelta(days=30))]
    assert report.paths[0].status == "approved"
    assert report.unreached_end_events == ["End_Rejected"]


# -- catalog/enterprise-investment-approval: 会签 with a veto ---------------------------------
def test_countersign_each_signer_can_veto(investment):
    report = trial_explore(package=investment, start=START)
    assert outcomes(report) == [
        ("approve,approve,approve,approve,approve", "approved"),
        ("approve,approve,approve,approve,reject", "rejected"),
        ("approve,approve,approve,reject", "rejected"),
        ("approve,approve,reject", "rejected"),
        ("approve,reject", "rejected"),
        ("reject", "rejected"),
    ]
    assert tasks_of(report, 1) == [
        ("Task_Accept", "gz-zsj:window_clerk", "approve"),
        ("Task_Countersign", "gz-ghzyj:approver", "approve"),
        ("Task_Countersign", "gz-sthjj:approver", "approve"),
        ("Task_Countersign", "gz-zjj:approver", "approve"),
        ("Task_Approve", "gz-zsj:approver", "approve"),
    ]
    # the second signer's veto ends the sign-off: the third is never asked
    assert tasks_of(report, 4)[-1] == ("Task_Countersign", "gz-sthjj:approver", "reject")
    assert report.paths[3].end_events == ["End_Rejected"]
    assert step_result(report, 1, "Issue")["licence"]["status"] == "issued"
    assert report.unreached_end_events == ["Timer_Countersign_End"]


# -- catalog/graduate-employment-express: the fake clock and a working-day timer ---------------
def test_the_approval_reminder_fires_only_when_the_task_waits(graduate):
    quick = trial_explore(package=graduate, start=START)
    assert outcomes(quick) == [
        ("approve,approve,approve,approve", "approved"),
        ("approve,approve,approve,reject", "rejected"),
        ("approve,approve,reject", "rejected"),
        ("approve,reject", "rejected"),
        ("reject", "rejected"),
    ]
    assert "Timer_Approve_End" in quick.unreached_end_events

    slow = trial_explore(
        package=graduate,
        wait=trial_duration("P10D"),
        path=trial_path_parse("approve,approve,approve,approve"),
        start=START,
    )
    path = slow.paths[0]
    assert path.status == "approved"
    fired = [(s.element, s.at) for s in path.steps if s.kind == "timer"]
    assert fired == [("Timer_Approve", START + datetime.timedelta(days=30))]
    # The timer's path ends at 已督办 without a message step of its own: the platform tells
    # the task's holders and supervisors when a timer escalates a task.
    assert not [s for s in path.steps if s.action == "notify.send" and s.element != "Notify_Done"]
    assert slow.unreached_end_events == ["End_Rejected"]


# -- small packages written here --------------------------------------------------------------
BROKEN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="broken" name="再次签注" isExecutable="true">
    <bpmn:startEvent id="start" name="提交申请"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="accept" name="受理" camunda:candidateGroups="clerk">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:intermediateCatchEvent id="publicity" name="公示7天">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>P7D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:exclusiveGateway id="gw" name="加急？">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>fast</bpmn:outgoing><bpmn:outgoing>slow</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="approved" name="办结">
      <bpmn:incoming>fast</bpmn:incoming><bpmn:incoming>slow</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="accept"/>
    <bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="publicity"/>
    <bpmn:sequenceFlow id="f3" sourceRef="publicity" targetRef="gw"/>
    <bpmn:sequenceFlow id="fast" sourceRef="gw" targetRef="approved">
      <bpmn:conditionExpression>urgent == true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="slow" sourceRef="gw" targetRef="approved">
      <bpmn:conditionExpression>urgent != true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>
"""

LOOP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="loop" name="再次签注" isExecutable="true">
    <bpmn:startEvent id="start" name="提交申请"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="again" name="重新受理">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>back</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="accept" name="受理" camunda:candidateGroups="clerk">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="review" name="审核" camunda:candidateGroups="approver">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="gw" name="审核通过？">
      <bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>ok</bpmn:outgoing><bpmn:outgoing>back</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="approved" name="办结"><bpmn:incoming>ok</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="again"/>
    <bpmn:sequenceFlow id="f2" sourceRef="again" targetRef="accept"/>
    <bpmn:sequenceFlow id="f3" sourceRef="accept" targetRef="review"/>
    <bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="gw"/>
    <bpmn:sequenceFlow id="ok" sourceRef="gw" targetRef="approved">
      <bpmn:conditionExpression>decision == "approve"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="back" name="退回重新受理" sourceRef="gw" targetRef="again">
      <bpmn:conditionExpression>decision == "reject"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>
"""

FINDINGS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="findings" name="再次签注" isExecutable="true">
    <bpmn:startEvent id="start" name="提交申请"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="check" name="核查" camunda:candidateGroups="clerk">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="gw" name="核查结论">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>yes</bpmn:outgoing><bpmn:outgoing>no</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="approved" name="办结"><bpmn:incoming>yes</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="rejected" name="不予办理"><bpmn:incoming>no</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="gw"/>
    <bpmn:sequenceFlow id="yes" sourceRef="gw" targetRef="approved">
      <bpmn:conditionExpression>income_ok == true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="no" sourceRef="gw" targetRef="rejected">
      <bpmn:conditionExpression>income_ok != true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>
"""
TASK_FORM = {
    "type": "object",
    "properties": {"income_ok": {"type": "boolean", "title": "收入核查通过"}},
    "required": ["income_ok"],
}


def write(root: Path, process: str, **extra: bytes) -> Path:
    files = packages.files_for(packages.plain_service(), process=process)
    files.update(extra)
    return packages.write_package(root, files)


def test_a_condition_on_a_variable_nothing_sets_gets_stuck(tmp_path):
    folder = write(tmp_path, BROKEN)
    package = trial_package_load(path=folder)
    assert len(package.problems) == 2  # the validator refuses it (both conditions)
    assert "urgent" in package.problems[0]
    report = trial_explore(package=package, start=START)
    assert outcomes(report) == [("approve", "stuck"), ("reject", "rejected")]
    stuck = report.paths[0]
    assert stuck.message == (
        "流程在“加急？”（gw）无法继续：条件读取的变量 urgent 没有值"
        "（申请表、任务表单、决策表或之前的服务任务都没有设置它）。请修正流程或申请表后重试。"
    )
    # nothing was open, so the clock jumped to the end of the 7-day publicity, where the
    # gateway after the timer failed
    assert [(s.kind, s.at) for s in stuck.steps[1:]] == [
        ("clock", START + datetime.timedelta(days=7)),
    ]
    assert report.stuck
    assert report.unreached_end_events == ["approved"]


def test_the_command_exits_1_and_names_the_variable(tmp_path):
    folder = write(tmp_path, BROKEN)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("service_try", str(folder), "--start", "2025-03-03T09:00", stdout=out)
    assert exit_info.value.code == 1
    text = out.getvalue()
    assert "路径 1：approve\n" in text
    assert "  结果：卡住——流程在“加急？”（gw）无法继续：条件读取的变量 urgent 没有值" in text
    assert "     · 没有待办任务，时钟跳到定时器到期：2025-03-10 09:00\n" in text
    assert "汇总：共 2 条路径——已办结（准予）0 条，已办结（不予）1 条，卡住 1 条\n" in text
    assert "从未到达的结束事件：办结（approved）\n" in text


def test_the_command_prints_json(tmp_path):
    folder = write(tmp_path, BROKEN)
    out = io.StringIO()
    call_command("service_try", str(folder), "--json", "--path", "reject", stdout=out)
    data = json.loads(out.getvalue())
    assert [(p["path"], p["status"], p["outcome"]) for p in data["paths"]] == [
        ("reject", "rejected", "rejected")
    ]
    assert data["stuck"] is False  # the one path asked for does not stick
    assert data["paths"][0]["steps"][0]["decision"] == "reject"
    assert data["unreached"] == {"end_events": ["approved"], "user_tasks": []}


def test_the_command_exits_0_when_no_path_sticks(tmp_path):
    folder = write(tmp_path, FINDINGS, **{"check.task.json": json.dumps(TASK_FORM).encode()})
    out = io.StringIO()
    call_command("service_try", str(folder), stdout=out)
    assert "卡住 0 条" in out.getvalue()


def test_task_form_fields_are_tried_both_ways(tmp_path):
    folder = write(tmp_path, FINDINGS, **{"check.task.json": json.dumps(TASK_FORM).encode()})
    package = trial_package_load(path=folder)
    assert package.problems == []
    report = trial_explore(package=package, start=START)
    assert outcomes(report) == [
        ("approve:income_ok=true", "approved"),
        ("approve:income_ok=false", "rejected"),
        ("reject:income_ok=true", "rejected"),
        ("reject:income_ok=false", "rejected"),
    ]
    assert [p.end_events for p in report.paths] == [["approved"], ["rejected"], [], []]
    assert report.paths[1].steps[0].findings == {"income_ok": False}
    one = trial_explore(
        package=package, path=trial_path_parse("approve:income_ok=false"), start=START
    )
    assert outcomes(one) == [("approve:income_ok=false", "rejected")]
    text = trial_as_text(report)
    assert (
        "  1. 核查（check）［clerk → gz-gaj:window_clerk］同意；记录：income_ok = false\n" in text
    )


def test_a_state_reached_twice_is_explored_once(tmp_path):
    package = trial_package_load(path=write(tmp_path, LOOP))
    report = trial_explore(package=package, start=START)
    assert outcomes(report) == [
        ("approve,approve", "approved"),
        ("approve,reject,approve", "merged"),
        ("approve,reject,reject", "rejected"),
        ("reject", "rejected"),
    ]
    assert report.paths[1].merged_with == 1
    assert report.paths[1].message == (
        "与路径 1 经过的状态相同（同样的待办任务和流程变量），不再重复探索。"
    )
    bounded = trial_explore(package=package, start=START, max_paths=2)
    assert len(bounded.paths) == 2 and bounded.truncated
    assert trial_as_json(bounded)["truncated"] is True


def test_a_path_that_runs_out_is_left_open(tmp_path):
    package = trial_package_load(path=write(tmp_path, LOOP))
    report = trial_explore(package=package, path=trial_path_parse("approve"), start=START)
    assert outcomes(report) == [("approve", "open")]
    assert report.paths[0].message == "给定的路径已走完，流程在“审核”等待办理。"
    assert not report.stuck


# -- the fakes never touch the engine's registry ---------------------------------------------
def test_fake_actions_are_passed_to_the_run_not_registered(low_income):
    before = {name: get_action(name) for name in registered_actions()}
    trial_explore(package=low_income, start=START, max_paths=1)
    assert {name: get_action(name) for name in registered_actions()} == before


def test_actions_in_the_context_run_instead_of_the_registry():
    bpmn = (
        packages.bpmn()
        .replace(
            '<bpmn:userTask id="approve" name="审批" camunda:candidateGroups="approver">',
            '<bpmn:serviceTask id="approve" name="通知" camunda:type="external" '
            'camunda:topic="licences.issue">',
        )
        .replace("</bpmn:userTask>\n    <bpmn:endEvent", "</bpmn:serviceTask>\n    <bpmn:endEvent")
    )
    spec = compile_process(bpmn.encode()).spec
    fake = {
        "licences.issue": lambda ctx: {"licence": {"number": ctx.element_id}},
        "exchange.lookup": lambda ctx: {"exchange": {"found": True, "by": ctx.element_id}},
    }
    run = ProcessRun.start(spec, data={}, now=START)
    assert texts(run.advance(now=START, context={"actions": fake})) == ["action_done:lookup"]
    run.complete(run.open_user_tasks()[0].uid, data={"decision": "approve"}, now=START)
    assert texts(run.advance(now=START, context={"actions": fake})) == [
        "action_done:approve",
        "action_done:issue",
        "finished:approved",
    ]
    assert run.data()["exchange"] == {"found": True, "by": "lookup"}
    assert run.data()["licence"] == {"number": "issue"}


# -- options -----------------------------------------------------------------------------------
def test_sample_answers_follow_the_schema():
    schema = {
        "properties": {
            "name": {"type": "string", "maxLength": 3},
            "id_number": {"type": "string", "format": "citizen-id"},
            "size": {"type": "integer", "minimum": 2},
            "income": {"type": "number", "minimum": 0},
            "district": {"type": "string", "enum": ["440103", "440104"]},
            "departments": {"type": "array", "items": {"enum": ["gz-gaj", "gz-mzj"]}},
            "agreed": {"type": "boolean"},
            "level": {"type": "string", "default": "b"},
        }
    }
    assert trial_answers_sample(schema) == {
        "name": "示例示",
        "id_number": "440106199005041239",
        "size": 2,
        "income": 1,
        "district": "440103",
        "departments": ["gz-gaj", "gz-mzj"],
        "agreed": True,
        "level": "b",
    }


def test_bad_options_are_refused_in_chinese(tmp_path):
    with pytest.raises(CommandError, match="时长 10 days 无效"):
        call_command("service_try", str(tmp_path), "--wait", "10 days")
    with pytest.raises(CommandError, match="路径中的“maybe”无效"):
        call_command("service_try", str(tmp_path), "--path", "approve,maybe")
    with pytest.raises(CommandError, match="请给出一个服务包"):
        call_command("service_try", str(tmp_path))


TABLE_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="table" name="再次签注" isExecutable="true">
    <bpmn:startEvent id="start" name="提交申请"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="judge" name="按条件表判定" camunda:type="external"
        camunda:topic="decisions.evaluate">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="table">limits</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:userTask id="accept" name="受理" camunda:candidateGroups="clerk">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="approved" name="办结"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="judge"/>
    <bpmn:sequenceFlow id="f2" sourceRef="judge" targetRef="accept"/>
    <bpmn:sequenceFlow id="f3" sourceRef="accept" targetRef="approved"/>
  </bpmn:process>
</bpmn:definitions>
"""
LIMITS = """
inputs:
  - {code: income, type: number}
outputs:
  - {code: eligible, type: boolean}
rules:
  - when: income > 3000
    then: {eligible: false}
  - then: {eligible: true}
"""


def test_a_table_missing_an_input_gets_stuck_at_its_task(tmp_path):
    folder = write(tmp_path, TABLE_PROCESS, **{"limits.decision.yaml": LIMITS.encode()})
    report = trial_explore(package=trial_package_load(path=folder), start=START)
    assert outcomes(report) == [("", "stuck")]
    assert report.paths[0].message == (
        "服务任务“按条件表判定”（judge，decisions.evaluate）失败："
        "决策表“limits”缺少输入“income”（流程变量中没有，也没有默认值）"
    )
    assert report.unreached_user_tasks == ["accept"]


def test_only_the_vocabulary_context_skips_the_city(tmp_path):
    definition = packages.service(department="gz-nowhere")
    folder = packages.write_package(tmp_path, packages.files_for(definition))
    source = sources_from_paths([folder])[0][0]
    offline = package_load(source, ValidationContext.from_vocabulary())
    assert offline.problems == []
    city = package_load(source, ValidationContext.from_demo_city())
    assert [p.message for p in city.problems] == ["部门 gz-nowhere 不存在。"]


def texts(events: list) -> list[str]:
    return [str(event) for event in events]
