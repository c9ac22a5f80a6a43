"""Compile Camunda Modeler / bpmn.io BPMN into a stored spec, with problems by line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from lxml import etree
from SpiffWorkflow.bpmn.parser.task_parsers import CallActivityParser, SubprocessParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, IntermediateCatchEvent
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaBoundaryEventParser,
    CamundaIntermediateCatchEventParser,
)
from SpiffWorkflow.camunda.parser.task_spec import UserTaskParser
from SpiffWorkflow.camunda.specs.user_task import UserTask

from . import expressions, graph, taskforms
from .actions import registered_actions
from .problems import Problem
from .specs import (
    ClockTimer,
    CollectingParallelMI,
    CollectingSequentialMI,
    MappedCallActivity,
    parse_timer,
    serializer,
    spec_digest,
)

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}
SPEC_FORMAT = 1


def _b(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def _c(name: str) -> str:
    return f"{{{CAMUNDA_NS}}}{name}"


@dataclass(frozen=True)
class UserTaskInfo:
    id: str
    name: str
    candidate_groups: tuple[str, ...]
    multi_instance: bool


@dataclass(frozen=True)
class CompiledProcess:
    spec: dict[str, Any]
    process_id: str
    user_tasks: dict[str, UserTaskInfo]
    service_tasks: dict[str, str]
    problems: list[Problem]


REFUSED = {
    "scriptTask": gettext_noop("出于安全原因不支持脚本任务，请用网关条件或服务任务"),
    "businessRuleTask": gettext_noop("暂不支持业务规则任务（决策表），请用排他网关的条件表达"),
    "sendTask": gettext_noop("不支持发送任务，请用服务任务（如 notify.send）"),
    "receiveTask": gettext_noop("不支持接收任务"),
    "manualTask": gettext_noop("不支持手工任务，请改为用户任务并设置候选组"),
    "task": gettext_noop("未指定类型的任务，请设为用户任务或服务任务"),
    "eventBasedGateway": gettext_noop("不支持事件网关"),
    "complexGateway": gettext_noop("不支持复杂网关"),
    "adHocSubProcess": gettext_noop("不支持自由子流程"),
    "transaction": gettext_noop("不支持事务子流程"),
    "intermediateThrowEvent": gettext_noop("不支持中间抛出事件"),
    "standardLoopCharacteristics": gettext_noop("不支持循环标记，请用网关回退形成循环"),
    "messageEventDefinition": gettext_noop("不支持消息事件"),
    "signalEventDefinition": gettext_noop("不支持信号事件"),
    "errorEventDefinition": gettext_noop("不支持错误事件"),
    "escalationEventDefinition": gettext_noop("不支持升级事件，请用定时边界事件"),
    "conditionalEventDefinition": gettext_noop("不支持条件事件"),
    "compensateEventDefinition": gettext_noop("不支持补偿事件"),
    "linkEventDefinition": gettext_noop("不支持链接事件"),
    "cancelEventDefinition": gettext_noop("不支持取消事件"),
    "dataStoreReference": gettext_noop("不支持数据存储"),
}
OUTCOMES = {"approved", "rejected"}
DECISION_VARIABLES = frozenset({"decision", "decisions"})


@dataclass
class _Pass:
    """Our own lxml pass over the documents: checks, metadata, expression rewriting."""

    problems: list[Problem] = field(default_factory=list)
    user_tasks: dict[str, UserTaskInfo] = field(default_factory=dict)
    service: dict[str, dict[str, Any]] = field(default_factory=dict)
    end_events: dict[str, str] = field(default_factory=dict)
    calls: list[tuple[str, etree._Element, str]] = field(default_factory=list)
    # task id -> JSON Schema of its task form (package file merged with camunda:formData)
    task_forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    package_forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    routes_rejection: dict[str, bool] = field(default_factory=dict)
    # boundary event id -> {"attached_to": task id, "interrupting": bool}
    boundary_events: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, file: str, node: Any, message: str) -> None:
        line = getattr(node, "sourceline", None) if node is not None else None
        self.problems.append(Problem(file=file, line=line, message=message))

    def check_expression(self, file: str, node: Any, text: str, what: str) -> str:
        reason = expressions.check(text)
        if reason:
            self.add(
                file,
                node,
                _("{what}（{id}）无效：{reason}").format(
                    what=what, id=_owner_id(node), reason=reason
                ),
            )
            return text
        return expressions.normalize(text)

    def process(self, file: str, process: Any) -> None:
        for node in process.iter(etree.Element):
            tag = etree.QName(node).localname if node.tag.startswith("{") else node.tag
            if not node.tag.startswith(f"{{{BPMN_NS}}}"):
                continue
            if tag in REFUSED:
                self.add(
                    file,
                    node,
                    _("不支持的元素 {tag}（{id}）：{hint}").format(
                        tag=tag, id=_owner_id(node), hint=_(REFUSED[tag])
                    ),
                )
            elif tag == "userTask":
                self.user_task(file, node)
            elif tag == "serviceTask":
                self.service_task(file, node)
            elif tag == "sequenceFlow":
                self.sequence_flow(file, node)
            elif tag == "timerEventDefinition":
                self.timer(file, node)
            elif tag == "endEvent":
                self.end_event(node)
            elif tag == "boundaryEvent":
                self.boundary_events[node.get("id")] = {
                    "attached_to": node.get("attachedToRef") or "",
                    "interrupting": node.get("cancelActivity", "true") != "false",
                }
            elif tag == "subProcess" and node.get("triggeredByEvent") == "true":
                self.add(file, node, _("不支持事件子流程（{id}）").format(id=node.get("id")))
            elif tag == "callActivity":
                self.calls.append((file, node, node.get("calledElement") or ""))
                self.call_mappings(file, node)
            elif tag == "multiInstanceLoopCharacteristics":
                self.multi_instance(file, node)
            elif tag == "completionCondition" and node.text:
                node.text = self.check_expression(file, node, node.text, _("完成条件"))
            elif tag == "loopCardinality" and node.text:
                node.text = self.check_expression(file, node, node.text, _("实例数表达式"))
        self.inclusive_defaults(process)
        self.rejection_routing(process)

    def inclusive_defaults(self, process: Any) -> None:
        """An inclusive gateway's outgoing flow without a condition is always taken (as
        Camunda 7 does); SpiffWorkflow wants a condition, so it gets ``True``."""
        for gateway in process.iter(_b("inclusiveGateway")):
            default = gateway.get("default")
            for flow in process.iter(_b("sequenceFlow")):
                if (
                    flow.get("sourceRef") == gateway.get("id")
                    and flow.get("id") != default
                    and flow.find(_b("conditionExpression")) is None
                ):
                    condition = etree.SubElement(flow, _b("conditionExpression"))
                    condition.text = "True"

    def rejection_routing(self, process: Any) -> None:
        """Whether each user task's rejection is routed by the process itself: a gateway
        reached from the task (through service tasks, events and splits, not through a
        join, another task or an end) whose conditions read ``decision``. An unrouted
        rejection ends the case as rejected (the engine does that, not the drawing)."""
        nodes = {n.get("id"): n for n in process.iter(etree.Element) if n.get("id")}
        outgoing: dict[str, list[Any]] = {}
        incoming: dict[str, int] = {}
        for flow in process.iter(_b("sequenceFlow")):
            outgoing.setdefault(flow.get("sourceRef") or "", []).append(flow)
            incoming[flow.get("targetRef") or ""] = incoming.get(flow.get("targetRef") or "", 0) + 1

        def reads_decision(flow: Any) -> bool:
            condition = flow.find(_b("conditionExpression"))
            try:
                read = expressions.names(condition.text or "") if condition is not None else set()
            except expressions.UnsafeExpression:
                return False  # reported by the expression check
            return bool(read & DECISION_VARIABLES)

        def routed(node_id: str, seen: set[str]) -> bool:
            for flow in outgoing.get(node_id, []):
                target_id = flow.get("targetRef") or ""
                target = nodes.get(target_id)
                if target is None or target_id in seen:
                    continue
                seen.add(target_id)
                tag = etree.QName(target).localname
                if tag in ("exclusiveGateway", "inclusiveGateway", "parallelGateway"):
                    if incoming.get(target_id, 0) > 1 and tag != "exclusiveGateway":
                        continue  # a join merges several branches' decisions
                    flows = outgoing.get(target_id, [])
                    if any(reads_decision(f) for f in flows):
                        return True
                    if routed(target_id, seen):
                        return True
                elif tag in ("serviceTask", "intermediateCatchEvent") and routed(target_id, seen):
                    return True
            return False

        for task_id in list(self.user_tasks):
            if task_id in nodes:
                self.routes_rejection[task_id] = routed(task_id, {task_id})

    def call_mappings(self, file: str, node: Any) -> None:
        """``camunda:in`` / ``camunda:out`` of a call activity need ``variables="all"`` or
        a ``source`` and a ``target`` (``sourceExpression`` is not supported)."""
        for kind in ("in", "out"):
            for item in node.iterfind(f"bpmn:extensionElements/camunda:{kind}", NS):
                if item.get("businessKey") is not None or item.get("variables") == "all":
                    continue
                if not (item.get("source") and item.get("target")):
                    self.add(
                        file,
                        item,
                        _(
                            "调用活动（{id}）的变量映射 camunda:{kind} 需要 source 和 target"
                            '（或 variables="all"）'
                        ).format(id=node.get("id"), kind=kind),
                    )

    def user_task(self, file: str, node: Any) -> None:
        groups = tuple(
            g.strip() for g in (node.get(_c("candidateGroups")) or "").split(",") if g.strip()
        )
        name = node.get("name") or node.get("id")
        if not groups:
            self.add(
                file,
                node,
                _("用户任务“{name}”（{id}）没有设置候选组（camunda:candidateGroups）").format(
                    name=name, id=node.get("id")
                ),
            )
        loop = node.find(_b("multiInstanceLoopCharacteristics"))
        mi = loop is not None
        element = (loop.get(_c("elementVariable")) or "").strip() if mi else ""
        for group in groups:
            if "${" not in group:
                continue
            names = {m.strip() for m in expressions.PLACEHOLDER.findall(group)}
            if not mi or not element or names != {element}:
                self.add(
                    file,
                    node,
                    _(
                        "用户任务“{name}”（{id}）的候选组“{group}”含表达式：只有多实例任务可以"
                        "按实例派发，且表达式只能是它的元素变量（camunda:elementVariable），"
                        "如 ${{dept}}"
                    ).format(name=name, id=node.get("id"), group=group),
                )
        if mi and sign_off_mode(node) not in SIGN_OFF_MODES:
            self.add(
                file,
                node,
                _(
                    "会签任务（{id}）的 signOff 只能是 veto（一票否决）或 all（收集全部意见）"
                ).format(id=node.get("id")),
            )
        self.user_tasks[node.get("id")] = UserTaskInfo(node.get("id"), name, groups, mi)
        bpmn_form, form_problems = taskforms.form_from_bpmn(node)
        for where, message in form_problems:
            self.add(file, where, message)
        form = taskforms.merge_forms(bpmn_form, self.package_forms.get(node.get("id"), {}))
        if form:
            self.task_forms[node.get("id")] = form

    def service_task(self, file: str, node: Any) -> None:
        name = node.get("name") or node.get("id")
        topic = (node.get(_c("topic")) or "").strip()
        if not topic or node.get(_c("type"), "external") != "external":
            self.add(
                file,
                node,
                _(
                    "服务任务“{name}”（{id}）需设为外部（External）实现并填写主题（camunda:topic）"
                ).format(name=name, id=node.get("id")),
            )
            return
        if topic not in registered_actions():
            self.add(
                file,
                node,
                _(
                    "服务任务“{name}”（{id}）的主题“{topic}”不是已注册的平台动作；可用：{known}"
                ).format(
                    name=name,
                    id=node.get("id"),
                    topic=topic,
                    known="、".join(sorted(registered_actions())),
                ),
            )
            return
        params: dict[str, str] = {}
        for param in node.iterfind(".//camunda:inputOutput/camunda:inputParameter", NS):
            value = (param.text or "").strip()
            if value.startswith("${"):
                value = "${" + self.check_expression(file, param, value, _("输入参数")) + "}"
            params[param.get("name") or ""] = value
        self.service[node.get("id")] = {"action": topic, "params": params, "name": name}

    def sequence_flow(self, file: str, node: Any) -> None:
        condition = node.find(_b("conditionExpression"))
        if condition is None:
            return
        condition.text = self.check_expression(
            file, condition, condition.text or "", _("条件表达式")
        )

    def timer(self, file: str, node: Any) -> None:
        event = node.getparent()
        if etree.QName(event).localname == "startEvent":
            self.add(file, node, _("不支持定时开始事件（{id}）").format(id=event.get("id")))
            return
        if node.find(_b("timeDate")) is not None or node.find(_b("timeCycle")) is not None:
            self.add(
                file,
                node,
                _(
                    "定时器（{id}）只支持时长（timeDuration，如 P3D、PT2H）或 workingDays 属性"
                ).format(id=event.get("id")),
            )
            return
        try:
            parse_timer(timer_expression(event))
        except ValueError:
            self.add(
                file,
                node,
                _(
                    "定时器（{id}）的时长“{value}”无效：应为 ISO-8601 时长（如 P3D、"
                    "PT2H）或 workingDays 天数"
                ).format(id=event.get("id"), value=timer_expression(event)),
            )

    def multi_instance(self, file: str, node: Any) -> None:
        collection = (node.get(_c("collection")) or "").strip()
        if collection:
            collection = expressions.normalize(collection)
            if not collection.isidentifier():
                self.add(
                    file,
                    node,
                    _("多实例集合（{id}）须是流程变量名，如 signers").format(id=_owner_id(node)),
                )
            node.set(_c("collection"), collection)
        elif node.find(_b("loopCardinality")) is None:
            self.add(
                file,
                node,
                _("多实例任务（{id}）需要 camunda:collection 或 loopCardinality").format(
                    id=_owner_id(node)
                ),
            )

    def end_event(self, node: Any) -> None:
        outcome = None
        for prop in node.iterfind(".//camunda:properties/camunda:property", NS):
            if prop.get("name") == "outcome":
                outcome = prop.get("value")
        for candidate in (node.get("id") or "", node.get("name") or ""):
            lowered = candidate.lower()
            for word in OUTCOMES:
                if outcome is None and (
                    lowered == word
                    or lowered.startswith(word + "_")
                    or lowered.endswith("_" + word)
                ):
                    outcome = word
        if outcome:
            self.end_events[node.get("id")] = outcome


def _owner_id(node: Any) -> str:
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node.get("id") if node is not None else "?"


def timer_expression(event: Any) -> str:
    for prop in event.iterfind(".//camunda:properties/camunda:property", NS):
        if prop.get("name") == "workingDays":
            return f"workingDays:{(prop.get('value') or '').strip()}"
    duration = event.find(f".//{_b('timeDuration')}")
    return expressions.normalize(duration.text or "") if duration is not None else ""


class _TimerMixin:
    node: Any

    def parse_timer_event(self, event: Any) -> ClockTimer:
        name = self.node.get("name", self.node.get("id"))
        return ClockTimer(name, timer_expression(self.node))


class _BoundaryParser(_TimerMixin, CamundaBoundaryEventParser):
    pass


class _CatchParser(_TimerMixin, CamundaIntermediateCatchEventParser):
    pass


class _UserTaskParser(UserTaskParser):
    task: Any

    def _add_multiinstance_task(self, loop: Any) -> None:
        sequential = loop.get("isSequential") == "true"
        cardinality = loop.find(_b("loopCardinality"))
        condition = loop.find(_b("completionCondition"))
        collection = loop.get(_c("collection"))
        element = loop.get(_c("elementVariable"))
        veto = sign_off_mode(self.node) == "veto"
        if condition is None and veto:
            # 一票否决: one signer's rejection ends the sign-off at once.
            condition_text: str | None = VETO_CONDITION
        else:
            condition_text = condition.text if condition is not None else None
        original = self.spec.task_specs.pop(self.task.name)
        params = {
            "task_spec": "",
            "cardinality": None if collection or cardinality is None else cardinality.text,
            "data_input": TaskDataReference(collection) if collection else None,
            "data_output": None,
            "input_item": TaskDataReference(element) if element else None,
            "output_item": None,
            "condition": condition_text,
        }
        cls = CollectingSequentialMI if sequential else CollectingParallelMI
        self.task = cls(self.spec, original.name, description="MultiInstance", **params)
        self._copy_task_attrs(original, loop)


class _CallActivityParser(CallActivityParser):
    """Call activities carry their ``camunda:in``/``camunda:out`` mappings."""

    node: Any

    def create_task(self) -> Any:
        subworkflow_spec = SubprocessParser.get_call_activity_spec(self)
        maps = call_mappings_of(self.node)
        return self.spec_class(
            self.spec,
            self.bpmn_id,
            subworkflow_spec=subworkflow_spec,
            in_map=maps.get("in"),
            out_map=maps.get("out"),
            **self.bpmn_attributes,
        )


def call_mappings_of(node: Any) -> dict[str, list[list[str]]]:
    mappings: dict[str, list[list[str]]] = {}
    for kind in ("in", "out"):
        for item in node.iterfind(f"bpmn:extensionElements/camunda:{kind}", NS):
            if item.get("businessKey") is not None:
                continue
            if item.get("variables") == "all":
                mappings.setdefault(kind, []).append(["*", "*"])
            elif item.get("source") and item.get("target"):
                mappings.setdefault(kind, []).append([item.get("source"), item.get("target")])
    return mappings


SIGN_OFF_MODES = ("veto", "all")
VETO_CONDITION = 'decision == "reject"'


def sign_off_mode(task: Any) -> str:
    """A 会签's mode: ``veto`` (default: one rejection ends it) or ``all`` (collect every
    opinion), from ``<camunda:property name="signOff" value="all"/>`` on the task."""
    for prop in task.iterfind("bpmn:extensionElements/camunda:properties/camunda:property", NS):
        if prop.get("name") == "signOff":
            return (prop.get("value") or "veto").strip()
    return "veto"


class _Parser(CamundaParser):
    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("callActivity"): (_CallActivityParser, MappedCallActivity),
        full_tag("userTask"): (_UserTaskParser, UserTask),
        full_tag("boundaryEvent"): (_BoundaryParser, BoundaryEvent),
        full_tag("intermediateCatchEvent"): (_CatchParser, IntermediateCatchEvent),
    }


def _load(content: bytes, file: str, problems: list[Problem]) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        problems.append(
            Problem(file, exc.lineno, _("XML 格式错误：{detail}").format(detail=exc.msg))
        )
        return None
    if root.tag != _b("definitions"):
        problems.append(
            Problem(file, root.sourceline, _("不是 BPMN 文件：根元素应为 bpmn:definitions"))
        )
        return None
    return root


def _main_process(root: Any, file: str, problems: list[Problem]) -> Any:
    """The process that runs: the executable one, or — in a collaboration where several
    pools are executable (Camunda Modeler marks each new pool so) — the one no call activity
    of the file calls."""
    processes = root.findall(_b("process"))
    executable = [p for p in processes if p.get("isExecutable") == "true"]
    if len(executable) > 1:
        called = {
            node.get("calledElement") for p in processes for node in p.iter(_b("callActivity"))
        }
        callers = [p for p in executable if p.get("id") not in called]
        if len(callers) == 1:
            return callers[0]
        problems.append(
            Problem(
                file,
                executable[1].sourceline,
                _(
                    "有多个可执行的流程（{ids}）：一个文件只能有一个主流程，其余流程须由"
                    "主流程的调用活动调用"
                ).format(ids="、".join(p.get("id") for p in callers or executable)),
            )
        )
        return None
    if executable:
        return executable[0]
    unflagged = [p for p in processes if p.get("isExecutable") is None]
    if len(processes) == 1 and unflagged:
        return processes[0]
    problems.append(
        Problem(
            file,
            root.sourceline,
            _('没有可执行的流程：请在流程上设置 isExecutable="true"（建模器中勾选“可执行”）'),
        )
    )
    return None


def _failed(problems: list[Problem]) -> CompiledProcess:
    return CompiledProcess(
        spec={}, process_id="", user_tasks={}, service_tasks={}, problems=problems
    )


def compile_process(
    bpmn: bytes,
    *,
    filename: str = "process.bpmn",
    called: dict[str, bytes] | None = None,
    variables: set[str] | None = None,
    task_forms: dict[str, dict[str, Any]] | None = None,
    decisions: dict[str, Any] | None = None,
) -> CompiledProcess:
    """Check and compile a BPMN document (plus the files its call activities use).

    ``called`` maps file names (used in problems) to BPMN documents; a call activity's
    ``calledElement`` must be the id of a process in one of them.
    ``variables``: the process variables the application form provides at the start (its
    questions); with it, every variable a condition reads must be set by the form or by an
    element before the condition. ``None`` skips that check.
    ``task_forms``: task id → the package's task form (JSON Schema) for that user task.
    ``decisions``: the package's decision tables by name (their outputs are variables).
    """
    problems: list[Problem] = []
    root = _load(bpmn, filename, problems)
    main = _main_process(root, filename, problems) if root is not None else None
    docs: list[tuple[str, Any]] = [(filename, root)] if root is not None else []
    for name, content in (called or {}).items():
        other = _load(content, name, problems)
        if other is not None:
            docs.append((name, other))
    if main is None:
        return _failed(problems)

    index = {p.get("id"): (name, p) for name, doc in docs for p in doc.findall(_b("process"))}
    check = _Pass(problems=problems, package_forms=dict(task_forms or {}))
    queue, seen = [main.get("id")], set()
    while queue:
        pid = queue.pop()
        if pid in seen:
            continue
        seen.add(pid)
        file, process = index[pid]
        # A pool that is called runs when called, whether or not the modeler ticked
        # "executable" on it (a second pool of the same file usually is not).
        process.set("isExecutable", "true")
        start = len(check.calls)
        check.process(file, process)
        for call_file, node, called_id in check.calls[start:]:
            if called_id in index:
                queue.append(called_id)
            else:
                check.add(
                    call_file,
                    node,
                    _("调用活动“{name}”（{id}）调用的流程“{called}”未提供").format(
                        name=node.get("name") or node.get("id"),
                        id=node.get("id"),
                        called=called_id or "-",
                    ),
                )
    main_id = main.get("id")
    problems.extend(
        graph.graph_problems(
            [index[main_id]] + [index[pid] for pid in sorted(seen - {main_id})],
            index=index,
            facts=check,
            variables=variables,
            decisions=decisions,
            walk=not problems,
        )
    )
    if any(not p.warning for p in problems):
        return _failed(problems)

    parser = _Parser()
    for name, doc in docs:
        parser.add_bpmn_xml(doc, filename=name)
    process_id = main.get("id")
    try:
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        return _failed([graph.spiff_problem(exc, docs, filename)])
    registry = serializer().registry
    spec_dict = {
        "format": SPEC_FORMAT,
        "process": registry.convert(spec),
        "subprocesses": {name: registry.convert(sp) for name, sp in subprocess_specs.items()},
        "user_tasks": {
            k: {
                "name": v.name,
                "candidate_groups": list(v.candidate_groups),
                "multi_instance": v.multi_instance,
                **({"form": check.task_forms[k]} if k in check.task_forms else {}),
                "routes_rejection": check.routes_rejection.get(k, False),
            }
            for k, v in check.user_tasks.items()
        },
        "service_tasks": check.service,
        "end_events": check.end_events,
        "boundary_events": check.boundary_events,
    }
    spec_dict["digest"] = spec_digest(spec_dict)
    return CompiledProcess(
        spec=spec_dict,
        process_id=process_id,
        user_tasks=check.user_tasks,
        service_tasks={k: v["action"] for k, v in check.service.items()},
        problems=[p for p in problems if p.warning],
    )
