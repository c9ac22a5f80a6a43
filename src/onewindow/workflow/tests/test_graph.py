"""The graph walk of compile_process: what a service author sees when the drawing's flows,
joins or variables do not add up — in Chinese, at the line of the element concerned."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from onewindow.workflow import ProcessRun, actions, compile_process, expressions, graph
from onewindow.workflow.specs import parse_timer

from .conftest import bpmn, texts

BASE = bpmn("graph_departments.bpmn")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NO_FORM: set[str] = set()  # the application form asks nothing these processes read


def line(doc: bytes, needle: str) -> int:
    """The line of the only occurrence of ``needle``."""
    found = [n for n, text in enumerate(doc.decode().splitlines(), start=1) if needle in text]
    assert len(found) == 1, (needle, found)
    return found[0]


def variant(*changes: tuple[str, str]) -> bytes:
    text = BASE.decode()
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text.encode()


def found(doc: bytes, **kwargs: Any) -> list[tuple[int | None, str]]:
    kwargs.setdefault("variables", NO_FORM)
    return [(p.line, p.message) for p in compile_process(doc, **kwargs).problems]


def doc(body: str) -> bytes:
    """A one-process document; ``body`` is the process's content."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d">\n'
        '<bpmn:process id="p" isExecutable="true">\n' + body.strip() + "\n</bpmn:process>\n"
        "</bpmn:definitions>\n"
    ).encode()


def flow(fid: str, source: str, target: str, condition: str = "") -> str:
    if not condition:
        return f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}" />\n'
    return (
        f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}">\n'
        f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>\n"
        "</bpmn:sequenceFlow>\n"
    )


def task(tid: str, extra: str = "") -> str:
    return f'<bpmn:userTask id="{tid}" camunda:candidateGroups="clerk">{extra}</bpmn:userTask>\n'


# -- the drawing the variants start from ----------------------------------------------


def test_the_departments_process_and_its_loops_are_valid() -> None:
    """Two supplement loops (inside a parallel branch, and back to the start) are no false
    alarm; tax_ok (the tax task's form) and decision are set after the join."""
    result = compile_process(BASE, variables=NO_FORM)
    assert result.problems == [] and result.spec


# -- 1. references ----------------------------------------------------------------------


def test_a_flow_whose_source_does_not_exist() -> None:
    broken = variant(('id="f_market" sourceRef="market"', 'id="f_market" sourceRef="market_check"'))
    assert found(broken) == [
        (line(broken, 'id="f_market"'), "顺序流 f_market 的来源 market_check 不存在")
    ]


def test_a_flow_whose_target_does_not_exist_is_reported_in_chinese_at_the_flow() -> None:
    broken = variant(('targetRef="market" />', 'targetRef="Task_market" />'))
    result = compile_process(broken, variables=NO_FORM)
    assert result.spec == {}
    assert [(p.line, p.message) for p in result.problems] == [
        (line(broken, 'id="f_split_market"'), "顺序流 f_split_market 的目标 Task_market 不存在")
    ]


def test_boundary_event_default_flow_exits_and_branching_tasks() -> None:
    xml = doc(
        '<bpmn:startEvent id="s" />\n'
        + flow("f1", "s", "gw")
        + '<bpmn:exclusiveGateway id="gw" default="f9" />\n'
        + flow("f2", "gw", "a", 'x == "y"')
        + flow("f3", "gw", "b")
        + task("a")
        + task("b")
        + flow("f4", "a", "e")
        + flow("f5", "b", "e")
        + flow("f6", "b", "a")
        + '<bpmn:boundaryEvent id="late" attachedToRef="nobody"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</bpmn:boundaryEvent>\n"
        '<bpmn:endEvent id="e" />'
    )
    assert found(xml) == [
        (line(xml, 'id="gw"'), "排他网关 gw 的默认顺序流 f9 不是它的出口"),
        (line(xml, 'id="f3"'), "排他网关 gw 的出口顺序流 f3 没有条件，也不是默认顺序流"),
        (line(xml, 'id="b"'), "用户任务 b 有 2 条出口顺序流；分支请用网关"),
        (line(xml, 'id="late"'), "边界事件 late 附着的活动 nobody 不存在"),
    ]


# -- 2. paths ---------------------------------------------------------------------------


def test_dead_ends_unreachable_elements_and_endless_loops() -> None:
    xml = doc(
        '<bpmn:startEvent id="s" />\n'
        + flow("f1", "s", "gw")
        + '<bpmn:exclusiveGateway id="gw" default="f2" />\n'
        + flow("f2", "gw", "a")
        + flow("f3", "gw", "b", 'decision == "again"')
        + flow("f4", "gw", "stub", 'decision == "stop"')
        + task("a")
        + flow("f5", "a", "e")
        + task("b")
        + flow("f6", "b", "c")
        + task("c")
        + flow("f7", "c", "b")
        + task("stub")
        + task("orphan")
        + flow("f8", "orphan", "e")
        + '<bpmn:endEvent id="e" />'
    )
    assert found(xml, variables=None) == [
        (line(xml, 'id="b"'), "用户任务 b 之后无法到达任何结束事件（只能无限循环）"),
        (
            line(xml, 'id="stub"'),
            "用户任务 stub 没有出口顺序流，也不是结束事件：请用顺序流连到结束事件",
        ),
        (line(xml, 'id="orphan"'), "用户任务 orphan 从开始事件无法到达"),
    ]


# -- 3. parallel joins ------------------------------------------------------------------


def test_a_removed_flow_leaves_the_join_waiting_for_a_branch_that_never_arrives() -> None:
    broken = variant(
        ('<bpmn:sequenceFlow id="f_split_market" sourceRef="split" targetRef="market" />\n', "")
    )
    result = compile_process(broken, variables=NO_FORM)
    assert result.spec == {}
    assert [(p.line, p.message) for p in result.problems] == [
        (line(broken, 'id="market"'), "用户任务 market（市场监管审查） 从开始事件无法到达"),
        (
            line(broken, 'id="join"'),
            "并行汇聚网关 join（审查完毕） 等待的顺序流 f_market 永远不会到达："
            "它的来源 market（市场监管审查） 无法从开始事件到达",
        ),
    ]


@pytest.mark.parametrize(
    ("tag", "kind"), [("exclusiveGateway", "排他网关"), ("inclusiveGateway", "包容网关")]
)
def test_a_parallel_join_fed_by_the_exits_of_a_choice_never_completes(tag: str, kind: str) -> None:
    broken = variant(
        (
            '<bpmn:parallelGateway id="split" name="并联审查" />',
            f'<bpmn:{tag} id="split" name="分派审查" default="f_split_tax" />',
        ),
        (
            '<bpmn:sequenceFlow id="f_split_market" sourceRef="split" targetRef="market" />',
            '<bpmn:sequenceFlow id="f_split_market" sourceRef="split" targetRef="market">'
            '<bpmn:conditionExpression>decision == "approve"</bpmn:conditionExpression>'
            "</bpmn:sequenceFlow>",
        ),
    )
    assert found(broken) == [
        (
            line(broken, 'id="join"'),
            f"并行汇聚网关 join（审查完毕） 等待的分支来自{kind} split（分派审查） 的不同出口，"
            "永远等不齐",
        )
    ]


def test_an_inclusive_split_taking_every_exit_may_feed_a_parallel_join() -> None:
    """Camunda takes an inclusive gateway's unconditioned exits always: like a parallel split."""
    every = variant(
        (
            '<bpmn:parallelGateway id="split" name="并联审查" />',
            '<bpmn:inclusiveGateway id="split" name="并联审查" />',
        )
    )
    assert found(every) == []


def test_a_parallel_join_waiting_for_a_timer_that_may_not_fire() -> None:
    xml = doc(
        '<bpmn:startEvent id="s" />\n'
        + flow("f1", "s", "a")
        + task("a")
        + '<bpmn:boundaryEvent id="late" attachedToRef="a" cancelActivity="false">'
        "<bpmn:timerEventDefinition><bpmn:timeDuration>P3D</bpmn:timeDuration>"
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>\n"
        + flow("f2", "a", "join")
        + flow("f3", "late", "remind")
        + '<bpmn:serviceTask id="remind" camunda:type="external" camunda:topic="notify.send" />\n'
        + flow("f4", "remind", "join")
        + '<bpmn:parallelGateway id="join" />\n'
        + flow("f5", "join", "e")
        + '<bpmn:endEvent id="e" />'
    )
    assert found(xml) == [
        (
            line(xml, 'id="join"'),
            "并行汇聚网关 join 等待的分支来自用户任务 a 的边界事件 late 和它的另一出口，永远等不齐",
        )
    ]


# -- 4. variables -----------------------------------------------------------------------


def test_a_condition_on_a_variable_nothing_sets() -> None:
    broken = variant(("tax_ok == true and", "income_ok == true and"))
    assert found(broken) == [
        (
            line(broken, "income_ok == true"),
            "网关 gw_final（结论） 的条件读取变量 income_ok，但在到达此处的路径上没有任何表单、"
            "任务表单、决策表或服务任务设置它",
        )
    ]
    assert found(broken, variables={"income_ok"}) == []  # a question of the form
    assert found(broken, variables=None) == []  # no form given: not checked


def test_a_condition_on_a_variable_of_a_package_task_form_is_accepted() -> None:
    checked = variant(("tax_ok == true and", "income_ok == true and tax_ok and"))
    form = {"type": "object", "properties": {"income_ok": {"type": "boolean", "title": "收入"}}}
    assert found(checked, task_forms={"market": form}) == []


def test_a_variable_set_on_one_branch_of_an_exclusive_split_only_is_reported() -> None:
    xml = doc(
        '<bpmn:startEvent id="s" />\n'
        + flow("f1", "s", "split")
        + '<bpmn:exclusiveGateway id="split" default="f3" />\n'
        + flow("f2", "split", "survey", 'kind == "company"')
        + flow("f3", "split", "desk")
        + task(
            "survey",
            '<bpmn:extensionElements><camunda:formData><camunda:formField id="site_ok" '
            'type="boolean" /></camunda:formData></bpmn:extensionElements>',
        )
        + task("desk")
        + flow("f4", "survey", "merge")
        + flow("f5", "desk", "merge")
        + '<bpmn:exclusiveGateway id="merge" />\n'
        + flow("f6", "merge", "check")
        + '<bpmn:exclusiveGateway id="check" default="f8" />\n'
        + flow("f7", "check", "e", "site_ok == true")
        + flow("f8", "check", "e")
        + '<bpmn:endEvent id="e" />'
    )
    assert found(xml, variables={"kind"}) == [
        (
            line(xml, "site_ok == true"),
            "网关 check 的条件读取变量 site_ok，但在到达此处的路径上没有任何表单、任务表单、"
            "决策表或服务任务设置它",
        )
    ]


def _service(tid: str, topic: str, params: dict[str, str]) -> str:
    body = "".join(
        f'<camunda:inputParameter name="{k}">{v}</camunda:inputParameter>'
        for k, v in params.items()
    )
    return (
        f'<bpmn:serviceTask id="{tid}" camunda:type="external" camunda:topic="{topic}">'
        f"<bpmn:extensionElements><camunda:inputOutput>{body}</camunda:inputOutput>"
        "</bpmn:extensionElements></bpmn:serviceTask>\n"
    )


def _after(service: str, condition: str) -> bytes:
    return doc(
        '<bpmn:startEvent id="s" />\n'
        + flow("f1", "s", "svc")
        + service
        + flow("f2", "svc", "gw")
        + '<bpmn:exclusiveGateway id="gw" default="f4" />\n'
        + flow("f3", "gw", "e", condition)
        + flow("f4", "gw", "e")
        + '<bpmn:endEvent id="e" />'
    )


def _missing(xml: bytes, name: str, needle: str, what: str = "网关 gw 的条件") -> list[Any]:
    return [
        (
            line(xml, needle),
            f"{what}读取变量 {name}，"
            "但在到达此处的路径上没有任何表单、任务表单、决策表或服务任务设置它",
        )
    ]


def test_what_decision_tables_lookups_and_actions_set() -> None:
    tables = {"eligibility": {"outputs": [{"code": "eligible", "type": "boolean"}]}}
    table = _service("svc", "decisions.evaluate", {"table": "eligibility"})
    assert found(_after(table, "eligible == true"), decisions=tables) == []
    xml = _after(table, "eligble == true")
    assert found(xml, decisions=tables) == _missing(xml, "eligble", "eligble == true")

    lookup = _service("svc", "exchange.lookup", {"resource": "gz-mzj.income-assets"})
    record = 'exchange_gz_mzj_income_assets["applicant"] is not None and exchange["found"]'
    assert found(_after(lookup, record)) == []

    order = _service("svc", "payments.create_order", {"fee": "${fee_code}"})
    xml = _after(order, "paid == true and payment_due")
    assert found(xml, variables={"fee_code"}) == _missing(xml, "payment_due", "payment_due")
    assert found(xml) == _missing(
        xml, "fee_code", "fee_code", "服务任务 svc 的输入参数 fee 的表达式"
    ) + _missing(xml, "payment_due", "payment_due")


def test_an_action_that_declares_no_outputs_may_set_anything(monkeypatch) -> None:
    monkeypatch.setitem(actions._REGISTRY, "test.anything", lambda ctx: {})
    monkeypatch.setitem(actions._OUTPUTS, "test.anything", None)
    assert found(_after(_service("svc", "test.anything", {}), "whatever == 1")) == []
    monkeypatch.setitem(actions._OUTPUTS, "test.anything", frozenset({"answer"}))
    xml = _after(_service("svc", "test.anything", {}), "answer == 1 and whatever")
    assert found(xml) == _missing(xml, "whatever", "whatever")


CALLED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d">
  <bpmn:process id="main" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="issue" />
    <bpmn:callActivity id="issue" calledElement="issue_permit">MAPPING</bpmn:callActivity>
    <bpmn:sequenceFlow id="f2" sourceRef="issue" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" default="f4" />
    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="e">
      <bpmn:conditionExpression>CONDITION</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
  <bpmn:process id="issue_permit" isExecutable="false">
    <bpmn:startEvent id="sub_s" />
    <bpmn:sequenceFlow id="s1" sourceRef="sub_s" targetRef="print" />
    <bpmn:userTask id="print" camunda:candidateGroups="clerk">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="permit_no" type="string" />
      </camunda:formData></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="s2" sourceRef="print" targetRef="sub_e" />
    <bpmn:endEvent id="sub_e" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_call_activity_sets_what_the_called_process_sets_or_what_it_maps_out() -> None:
    def called(mapping: str, condition: str) -> bytes:
        return CALLED.replace("MAPPING", mapping).replace("CONDITION", condition).encode()

    assert found(called("", 'permit_no != ""')) == []
    out = (
        '<bpmn:extensionElements><camunda:out source="permit_no" target="permit_number" />'
        "</bpmn:extensionElements>"
    )
    assert found(called(out, 'permit_number != ""')) == []
    xml = called(out, 'permit_no != ""')
    assert found(xml) == _missing(xml, "permit_no", 'permit_no != ""')


def test_multi_instance_collection_element_variable_and_results() -> None:
    xml = doc(
        '<bpmn:startEvent id="s" />\n'
        + flow("f1", "s", "sign")
        + '<bpmn:userTask id="sign" name="会签" camunda:candidateGroups="clerk">\n'
        '<bpmn:multiInstanceLoopCharacteristics camunda:collection="${signers}" '
        'camunda:elementVariable="signer">\n'
        '<bpmn:completionCondition>signer == "chief" and decision == "reject"'
        "</bpmn:completionCondition>\n"
        "</bpmn:multiInstanceLoopCharacteristics>\n</bpmn:userTask>\n"
        + flow("f2", "sign", "gw")
        + '<bpmn:exclusiveGateway id="gw" default="f4" />\n'
        + flow("f3", "gw", "e", '"reject" in decisions and len(comments) > 0')
        + flow("f4", "gw", "e")
        + '<bpmn:endEvent id="e" />'
    )
    assert found(xml, variables={"signers"}) == []
    assert found(xml) == _missing(
        xml, "signers", "camunda:collection", "多实例任务 sign（会签） 的集合"
    )


SUB_PROCESS = """<bpmn:startEvent id="s" />
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sub" />
<bpmn:subProcess id="sub" name="现场核查">
<bpmn:startEvent id="in_s" />
<bpmn:sequenceFlow id="i1" sourceRef="in_s" targetRef="check" />
<bpmn:userTask id="check" camunda:candidateGroups="clerk"><bpmn:extensionElements>
<camunda:formData><camunda:formField id="site_ok" type="boolean" /></camunda:formData>
</bpmn:extensionElements></bpmn:userTask>
<bpmn:sequenceFlow id="i2" sourceRef="check" targetRef="in_e" />
<bpmn:endEvent id="in_e" />
</bpmn:subProcess>
<bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="gw" />
<bpmn:exclusiveGateway id="gw" default="f4" />
<bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="e">
<bpmn:conditionExpression>CONDITION</bpmn:conditionExpression>
</bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="e" />
<bpmn:endEvent id="e" />"""


def test_a_sub_process_sets_what_its_inside_sets_and_needs_its_own_start() -> None:
    assert found(doc(SUB_PROCESS.replace("CONDITION", "site_ok == true"))) == []
    xml = doc(SUB_PROCESS.replace("CONDITION", "site_ok and road_ok"))
    assert found(xml) == _missing(xml, "road_ok", "road_ok")
    startless = doc(
        SUB_PROCESS.replace("CONDITION", "site_ok")
        .replace('<bpmn:startEvent id="in_s" />\n', "")
        .replace('<bpmn:sequenceFlow id="i1" sourceRef="in_s" targetRef="check" />\n', "")
    )
    assert found(startless) == [
        (line(startless, 'id="sub"'), "子流程 sub（现场核查） 须有且只有一个开始事件")
    ]


# -- 5. timers --------------------------------------------------------------------------


@pytest.mark.parametrize("duration", ["P5D", '"P5D"', "'P5D'", '${"P5D"}', ' ${ "P5D" } '])
def test_timer_durations_as_the_modeler_and_spiffworkflow_write_them(duration: str) -> None:
    market = (
        '<bpmn:userTask id="market" name="市场监管审查" '
        'camunda:candidateGroups="gz-scjgj:approver" />'
    )
    timed = variant(
        (
            market,
            market + '<bpmn:boundaryEvent id="late" attachedToRef="market" cancelActivity="false">'
            f"<bpmn:timerEventDefinition><bpmn:timeDuration>{duration}</bpmn:timeDuration>"
            "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
            '<bpmn:sequenceFlow id="f_late" sourceRef="late" targetRef="reminded" />'
            '<bpmn:endEvent id="reminded" />',
        )
    )
    result = compile_process(timed, variables=NO_FORM)
    assert result.problems == [] and result.spec
    assert parse_timer(duration) == ("duration", {"days": 5})
    run = ProcessRun.start(result.spec, data={}, now=T0)
    accept = next(t.uid for t in run.open_user_tasks() if t.element_id == "accept")
    run.complete(accept, data={"decision": "approve"}, now=T0)
    assert run.next_timer_at() == T0 + timedelta(days=5)
    assert texts(run.advance(now=T0 + timedelta(days=5, seconds=1), context={})) == [
        "timer_fired:late"
    ]


# -- 6. SpiffWorkflow's own refusals -----------------------------------------------------


def test_a_validation_exception_of_spiffworkflow_never_reaches_the_author_raw() -> None:
    broken = variant(('targetRef="market" />', 'targetRef="Task_market" />'))
    root = etree.fromstring(broken)
    split = next(n for n in root.iter() if n.get("id") == "split")
    exc = ValidationException(
        "When looking for a task spec, we found two items, perhaps a form has the same ID? "
        "(Task_market)",
        node=split,
        file_name="process.bpmn",
    )
    problem = graph.spiff_problem(exc, [("process.bpmn", root)], "process.bpmn")
    assert (problem.file, problem.line, problem.message) == (
        "process.bpmn",
        line(broken, 'id="f_split_market"'),
        "顺序流 f_split_market 的目标 Task_market 不存在",
    )
    start = next(n for n in root.iter() if n.get("id") == "start")
    odd = ValidationException("Something nobody expected", node=start, file_name="process.bpmn")
    problem = graph.spiff_problem(odd, [("process.bpmn", root)], "process.bpmn")
    assert (problem.line, problem.message) == (
        line(broken, 'id="start"'),
        "流程引擎无法解析元素 start（提交申请）：Something nobody expected",
    )


# -- 7. warnings ------------------------------------------------------------------------


@pytest.mark.parametrize("condition", ['decision == "reject"', 'decision != "approve"'])
def test_an_approved_end_after_a_rejection_is_a_warning(condition: str) -> None:
    warned = variant(
        (
            'id="f_accept_no" sourceRef="gw_accept" targetRef="rejected"',
            'id="f_accept_no" sourceRef="gw_accept" targetRef="approved"',
        ),
        ('decision == "reject"', condition.replace('"', "&quot;")),
    )
    result = compile_process(warned, variables=NO_FORM)
    assert result.spec  # a warning does not stop the compilation
    assert [(p.line, p.message, p.warning) for p in result.problems] == [
        (
            line(warned, 'id="approved"'),
            "结束事件 approved（准予） 可在驳回之后到达"
            "（网关 gw_accept（是否受理） 的出口 f_accept_no 检验的是驳回）",
            True,
        )
    ]


def test_what_counts_as_testing_a_rejection() -> None:
    assert graph.tests_rejection('decision == "reject"')
    assert graph.tests_rejection('${tax_decision == "reject" || x}')
    assert graph.tests_rejection('decision != "approve"')
    assert graph.tests_rejection('"reject" in decisions')
    assert graph.tests_rejection('decision in ["reject", "supplement"]')
    assert not graph.tests_rejection('decision == "approve"')
    assert not graph.tests_rejection('not (decision == "reject")')
    assert not graph.tests_rejection('decision == "supplement"')


def test_names_lists_the_variables_an_expression_reads() -> None:
    assert expressions.names('${len(items) > 0 && applicant.get("age") >= min_age}') == {
        "items",
        "applicant",
        "min_age",
    }
    assert expressions.names("eligible == true and x is not None") == {"eligible", "x"}


# -- the catalogue ----------------------------------------------------------------------


def _catalogue() -> Path:
    for parent in Path(__file__).resolve().parents:
        if (parent / "catalog" / "vocabulary.yaml").exists():
            return parent / "catalog"
    raise AssertionError("catalog folder not found")


PACKAGES = sorted(p.parent for p in _catalogue().glob("*/process.bpmn"))


@pytest.mark.parametrize("folder", PACKAGES, ids=[p.name for p in PACKAGES])
def test_every_catalogue_process_compiles_without_errors_or_warnings(folder: Path) -> None:
    form = json.loads((folder / "form.schema.json").read_text(encoding="utf-8"))
    decisions = {
        path.name.removesuffix(".decision.yaml"): yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in folder.glob("*.decision.yaml")
    }
    task_forms = {
        path.name.removesuffix(".task.json"): json.loads(path.read_text(encoding="utf-8"))
        for path in folder.glob("*.task.json")
    }
    called = {
        path.name: path.read_bytes()
        for path in folder.glob("*.bpmn")
        if path.name != "process.bpmn"
    }
    result = compile_process(
        (folder / "process.bpmn").read_bytes(),
        filename=f"{folder.name}/process.bpmn",
        called=called or None,
        variables=set(form.get("properties") or {}),
        task_forms=task_forms or None,
        decisions=decisions or None,
    )
    assert [str(p) for p in result.problems] == []
    assert result.spec
