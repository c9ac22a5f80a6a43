"""The graph walk of :func:`compile_process`: what no single element shows.

For every process compiled (the main one and each called one) and every embedded
sub-process, the sequence flows are read as a graph and checked:

1. **References**: a flow's ``sourceRef``/``targetRef``, a boundary event's ``attachedToRef``
   and a gateway's ``default`` name elements of the same (sub-)process; the exits of an
   exclusive or inclusive gateway have a condition unless they are its default; only
   gateways and start events have more than one exit.
2. **Paths**: every element is reached from the start event (a boundary event when its
   activity is) and leads to an end event; an element without exit that is not an end event
   is a mistake (SpiffWorkflow would end the branch there silently).
3. **Parallel joins**: every flow a parallel join waits for can arrive; two of its branches
   whose nearest common split (nearest common dominator) is an exclusive, inclusive or
   event-based gateway, or an activity and one of its boundary events, never all arrive.
4. **Data**: every variable a condition, a multi-instance collection, a completion condition
   or a ``${...}`` input parameter reads is set on every path from the start to it (the
   form, user tasks and their task forms, multi-instance tasks, decision tables, actions,
   call activities, sub-processes). A must-analysis over the graph: the set of variables
   definitely set is the intersection over the incoming paths (the union at a parallel
   join, where every branch arrives), computed to its greatest fixed point so loops are
   exact. An action that does not declare its outputs may set anything.
5. **Warnings**: an ``approved`` end event reachable after the exit of a gateway whose
   condition tests a rejection (``decision == "reject"``, ``decision != "approve"``).

Checks 2–5 run only when the document has no other problem: a missing reference or a
refused element would make the walk report consequences instead of the cause.
:func:`spiff_problem` turns the ``ValidationException`` SpiffWorkflow may still raise into
a Chinese problem at the line of the element concerned.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from lxml import etree

from . import expressions
from .dataflow import Dataflow
from .flowgraph import (
    ACTIVITIES,
    BPMN_NS,
    BRANCHING,
    CAMUNDA_NS,
    CHOICES,
    CONDITIONAL,
    NS,
    ROOT,
    SCOPES,
    Facts,
    Report,
    Scope,
    dominator_chain,
    dominators,
    forward,
    kind_of,
    label,
    local,
)
from .problems import Problem

# -- 1. references --------------------------------------------------------------------


def _reference_problems(scope: Scope, ids: set[str], report: Report) -> None:
    file = scope.file
    for flow_id, flow in scope.flows.items():
        for attribute, missing, gone in (
            (
                "sourceRef",
                gettext_noop("顺序流 {flow} 没有来源（sourceRef）"),
                gettext_noop("顺序流 {flow} 的来源 {ref} 不存在"),
            ),
            (
                "targetRef",
                gettext_noop("顺序流 {flow} 没有目标（targetRef）"),
                gettext_noop("顺序流 {flow} 的目标 {ref} 不存在"),
            ),
        ):
            ref = (flow.get(attribute) or "").strip()
            if not ref:
                report.add(file, flow, _(missing).format(flow=flow_id or "?"))
            elif ref not in scope.nodes and ref in ids:
                report.add(
                    file,
                    flow,
                    _("顺序流 {flow} 连接的 {ref} 不在同一流程（或子流程）中").format(
                        flow=flow_id, ref=ref
                    ),
                )
            elif ref not in scope.nodes:
                report.add(file, flow, _(gone).format(flow=flow_id, ref=ref))
    for node_id, node in scope.nodes.items():
        tag = local(node)
        if tag == "boundaryEvent":
            attached = (node.get("attachedToRef") or "").strip()
            if attached not in scope.nodes or scope.tag(attached) not in ACTIVITIES:
                report.add(
                    file,
                    node,
                    _("边界事件 {who} 附着的活动 {ref} 不存在").format(
                        who=label(node), ref=attached or "—"
                    ),
                )
        default = (node.get("default") or "").strip()
        if default and default not in scope.outgoing[node_id]:
            report.add(
                file,
                node,
                _("{kind} {who} 的默认顺序流 {flow} 不是它的出口").format(
                    kind=kind_of(node), who=label(node), flow=default
                ),
            )
        exits = scope.outgoing[node_id]
        if tag in CONDITIONAL and len(exits) > 1:
            for flow_id in exits:
                flow = scope.flows[flow_id]
                if flow_id != default and flow.find(f"{{{BPMN_NS}}}conditionExpression") is None:
                    report.add(
                        file,
                        flow,
                        _("{kind} {who} 的出口顺序流 {flow} 没有条件，也不是默认顺序流").format(
                            kind=kind_of(node), who=label(node), flow=flow_id
                        ),
                    )
        elif tag not in BRANCHING and len(exits) > 1:
            report.add(
                file,
                node,
                _("{kind} {who} 有 {n} 条出口顺序流；分支请用网关").format(
                    kind=kind_of(node), who=label(node), n=len(exits)
                ),
            )
    starts = scope.starts()
    if scope.element is not None and local(scope.element) in SCOPES:
        if len(starts) != 1:
            report.add(
                file,
                scope.element,
                _("子流程 {who} 须有且只有一个开始事件").format(who=label(scope.element)),
            )
        if not any(local(n) == "endEvent" for n in scope.nodes.values()):
            report.add(
                file, scope.element, _("子流程 {who} 没有结束事件").format(who=label(scope.element))
            )
    elif not starts:
        report.add(
            file, scope.element, _("流程 {who} 没有开始事件").format(who=label(scope.element))
        )


# -- 2. paths -------------------------------------------------------------------------


def _path_problems(scope: Scope, reached: set[str], report: Report) -> None:
    file = scope.file
    unreached = [n for n in scope.nodes if n not in reached]
    covered: set[str] = set()
    # Report where an unreachable part begins (the elements nothing unreachable leads to),
    # then whatever is left of unreachable loops.
    entries = [
        n
        for n in unreached
        if not any(scope.source(f) in unreached for f in scope.incoming[n])
        and not (
            scope.tag(n) == "boundaryEvent" and scope.nodes[n].get("attachedToRef") in unreached
        )
    ]
    for node_id in entries + unreached:
        if node_id in covered:
            continue
        node = scope.nodes[node_id]
        report.add(
            file,
            node,
            _("{kind} {who} 从开始事件无法到达").format(kind=kind_of(node), who=label(node)),
        )
        covered |= forward(scope, [node_id]) & set(unreached)
    # Dead ends: no exit and not an end event.
    sinks = {n for n in scope.nodes if not scope.outgoing[n] and scope.tag(n) != "endEvent"}
    for node_id in sorted(sinks & reached, key=lambda n: scope.nodes[n].sourceline or 0):
        node = scope.nodes[node_id]
        report.add(
            file,
            node,
            _("{kind} {who} 没有出口顺序流，也不是结束事件：请用顺序流连到结束事件").format(
                kind=kind_of(node), who=label(node)
            ),
        )
    # Nodes that never reach an end (nor a dead end, reported above): loops with no way out.
    # (An activity whose boundary event leads to an end is left that way.)
    finishing = {n for n in scope.nodes if scope.tag(n) == "endEvent"} | sinks
    stack = list(finishing)
    while stack:
        node_id = stack.pop()
        sources = [scope.source(f) for f in scope.incoming[node_id]]
        if scope.tag(node_id) == "boundaryEvent":
            sources.append(scope.nodes[node_id].get("attachedToRef") or "")
        for source in sources:
            if source in scope.nodes and source not in finishing:
                finishing.add(source)
                stack.append(source)
    trapped = reached - finishing
    for node_id in sorted(trapped, key=lambda n: scope.nodes[n].sourceline or 0):
        node = scope.nodes[node_id]
        entered = scope.tag(node_id) == "startEvent" or any(
            scope.source(f) not in trapped for f in scope.incoming[node_id]
        )
        if entered:
            report.add(
                file,
                node,
                _("{kind} {who} 之后无法到达任何结束事件（只能无限循环）").format(
                    kind=kind_of(node), who=label(node)
                ),
            )


# -- 3. parallel joins ----------------------------------------------------------------


def _takes_every_exit(scope: Scope, gateway: str) -> bool:
    """An inclusive gateway whose exits are all unconditional (``True`` since the element
    pass, as Camunda takes them) splits like a parallel one."""
    if scope.tag(gateway) != "inclusiveGateway" or scope.nodes[gateway].get("default"):
        return False
    for flow_id in scope.outgoing[gateway]:
        condition = scope.flows[flow_id].find("bpmn:conditionExpression", NS)
        text = (condition.text or "").strip() if condition is not None else ""
        if text not in ("", "True", "true"):
            return False
    return True


def _join_problems(scope: Scope, reached: set[str], report: Report) -> None:
    joins = [
        n for n in scope.nodes if scope.tag(n) == "parallelGateway" and len(scope.incoming[n]) > 1
    ]
    if not joins:
        return
    idom = dominators(scope, reached)
    for join_id in joins:
        join = scope.nodes[join_id]
        if join_id not in reached:
            continue
        sources: list[str] = []
        for flow_id in scope.incoming[join_id]:
            source = scope.source(flow_id)
            if source in idom:
                sources.append(source)
                continue
            report.add(
                scope.file,
                join,
                _(
                    "并行汇聚网关 {who} 等待的顺序流 {flow} 永远不会到达："
                    "它的来源 {source} 无法从开始事件到达"
                ).format(who=label(join), flow=flow_id, source=label(scope.nodes[source])),
            )
        chains = {s: dominator_chain(idom, s) for s in sources}
        for i, first in enumerate(sources):
            for second in sources[i + 1 :]:
                others = set(chains[second])
                common = next(n for n in chains[first] if n in others)
                if common == ROOT:
                    continue
                node = scope.nodes[common]
                if scope.tag(common) in CHOICES and not _takes_every_exit(scope, common):
                    report.add(
                        scope.file,
                        join,
                        _(
                            "并行汇聚网关 {who} 等待的分支来自{kind} {split} 的不同出口，永远等不齐"
                        ).format(who=label(join), kind=kind_of(node), split=label(node)),
                    )
                    continue
                events = set(scope.boundaries.get(common, []))
                via = [next((n for n in chains[s] if n in events), None) for s in (first, second)]
                event = next((e for e in via if e is not None), None)
                if event is not None and via[0] != via[1]:
                    report.add(
                        scope.file,
                        join,
                        _(
                            "并行汇聚网关 {who} 等待的分支来自{kind} {activity} 的边界事件 {event} "
                            "和它的另一出口，永远等不齐"
                        ).format(
                            who=label(join),
                            kind=kind_of(node),
                            activity=label(node),
                            event=label(scope.nodes[event]),
                        ),
                    )


# -- 5. warnings ----------------------------------------------------------------------


def _is_text(node: ast.AST, value: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == value


def _texts(node: ast.AST) -> set[str]:
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return {
            e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
        }
    return set()


def _compare_rejects(node: ast.Compare) -> bool:
    left = node.left
    for op, right in zip(node.ops, node.comparators, strict=True):
        pair = (left, right)
        if isinstance(op, ast.Eq) and any(_is_text(x, "reject") for x in pair):
            return True
        if isinstance(op, ast.NotEq) and any(_is_text(x, "approve") for x in pair):
            return True
        if isinstance(op, ast.In) and (_is_text(left, "reject") or "reject" in _texts(right)):
            return True
        if isinstance(op, ast.NotIn) and "approve" in _texts(right):
            return True
        left = right
    return False


def tests_rejection(condition: str) -> bool:
    """Whether a condition holds for a rejection: it compares a value with ``"reject"``
    (``decision == "reject"``, ``"reject" in decisions``) or tests that it is not
    ``"approve"`` (``decision != "approve"``), outside any ``not``."""
    try:
        tree = expressions.parse(condition)
    except expressions.UnsafeExpression:
        return False

    def walk(node: ast.AST, negated: bool) -> bool:
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return walk(node.operand, not negated)
        if isinstance(node, ast.BoolOp):
            return any(walk(v, negated) for v in node.values)
        if isinstance(node, ast.Compare):
            return not negated and _compare_rejects(node)
        return False

    return walk(tree.body, False)


def _warnings(scope: Scope, facts: Facts, report: Report) -> None:
    approved = {
        n
        for n in scope.nodes
        if scope.tag(n) == "endEvent" and facts.end_events.get(n) == "approved"
    }
    if not approved:
        return
    warned: set[str] = set()
    for node_id, node in scope.nodes.items():
        if local(node) not in CONDITIONAL:
            continue
        for flow_id in scope.outgoing[node_id]:
            condition = scope.flows[flow_id].find("bpmn:conditionExpression", NS)
            if condition is None or not tests_rejection(condition.text or ""):
                continue
            for end_id in sorted((forward(scope, [scope.target(flow_id)]) & approved) - warned):
                warned.add(end_id)
                end = scope.nodes[end_id]
                report.add(
                    scope.file,
                    end,
                    _(
                        "结束事件 {end} 可在驳回之后到达"
                        "（网关 {gateway} 的出口 {flow} 检验的是驳回）"
                    ).format(end=label(end), gateway=label(node), flow=flow_id),
                    warning=True,
                )


def _timer_reminders(scope: Scope, report: Report) -> None:
    """A message step on a timer's path that repeats the platform's escalation notice: when
    a timer escalates a task the platform itself tells the task's holders, its department's
    staff and the supervisors (``cases.notifications``), so a ``notify.send`` to staff (or of
    the ``sla_escalation`` template) after a timer makes them hear it twice."""
    for timer_id, timer in scope.nodes.items():
        if local(timer) != "boundaryEvent" or timer.find("bpmn:timerEventDefinition", NS) is None:
            continue
        for node_id in sorted(forward(scope, [timer_id]) - {timer_id}):
            node = scope.nodes[node_id]
            if node.get(f"{{{CAMUNDA_NS}}}topic") != "notify.send":
                continue
            params = {
                p.get("name"): (p.text or "").strip()
                for p in node.iterfind(".//camunda:inputParameter", NS)
            }
            if params.get("template") != "sla_escalation" and params.get("to", "applicant") in (
                "",
                "applicant",
            ):
                continue
            report.add(
                scope.file,
                node,
                _(
                    "定时器 {timer} 之后的消息环节 {task} 与平台的督办通知重复："
                    "定时器督办环节时，平台已通知承办人、本部门人员和督办人员，请删除该环节"
                ).format(timer=label(timer), task=label(node)),
                warning=True,
            )


# -- entry points ---------------------------------------------------------------------


def graph_problems(
    processes: Sequence[tuple[str, Any]],
    *,
    index: Mapping[str, tuple[str, Any]],
    facts: Facts,
    variables: set[str] | None,
    decisions: Mapping[str, Any] | None,
    walk: bool = True,
) -> list[Problem]:
    """Problems of the compiled processes' graphs (main process first).

    ``index``: process id → (file, process element), for call activities. ``walk``: also
    check paths, joins, data and warnings (the caller passes False when the element pass
    found problems already). ``variables``: the form's questions (None: no data check).
    """
    report = Report()
    scopes = {pid: Scope.read(file, element) for pid, (file, element) in index.items()}
    compiled = [scopes[p.get("id")] for _file, p in processes if p.get("id") in scopes]
    for scope in compiled:
        ids = {n.get("id") for n in scope.element.iter(etree.Element) if n.get("id")}
        for part in scope.all_scopes():
            _reference_problems(part, ids, report)
    if not walk or report.found:
        return report.problems
    for scope in compiled:
        for part in scope.all_scopes():
            reached = forward(part, part.starts())
            _path_problems(part, reached, report)
            _join_problems(part, reached, report)
    if variables is not None and compiled:
        flow = Dataflow(facts=facts, index=scopes, decisions=decisions, report=report)
        flow.check(compiled[0], frozenset(variables))
    for scope in compiled:
        for part in scope.all_scopes():
            _warnings(part, facts, report)
            _timer_reminders(part, report)
    return report.problems


_SPIFF_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"^When looking for a task spec"),
        gettext_noop("{who} 的出口顺序流指向不存在的元素 {ref}"),
    ),
    (
        re.compile(r"^Non-default exclusive outgoing sequence flow without condition"),
        gettext_noop("网关的出口顺序流 {who} 没有条件，也不是默认顺序流"),
    ),
    (re.compile(r"^No start event found"), gettext_noop("流程 {who} 没有开始事件")),
    (
        re.compile(r"^Exactly one start event is required"),
        gettext_noop("子流程 {who} 须有且只有一个开始事件"),
    ),
    (
        re.compile(r"^A SubWorkflow Must contain an End event"),
        gettext_noop("子流程 {who} 没有结束事件"),
    ),
    (
        re.compile(r"^Multiple outgoing flows are not supported"),
        gettext_noop("{who} 有多条出口顺序流；分支请用网关"),
    ),
    (re.compile(r"^Duplicate process ID"), gettext_noop("流程 id {who} 重复")),
    (
        re.compile(r"^No \"calledElement\""),
        gettext_noop("调用活动 {who} 没有写明被调用的流程（calledElement）"),
    ),
    (
        re.compile(r"^Time Specification Error|^Unknown Time Specification"),
        gettext_noop("定时器 {who} 的时长无效"),
    ),
]


def spiff_problem(exc: Any, docs: Sequence[tuple[str, Any]], filename: str) -> Problem:
    """A ``ValidationException`` of SpiffWorkflow as a Chinese problem at the line of the
    element it names (for a missing flow target: the flow's own line)."""
    detail = str(exc.args[0]) if getattr(exc, "args", None) else str(exc)
    ident = getattr(exc, "id", "") or ""
    file = getattr(exc, "file_name", "") or filename
    ordered = sorted(docs, key=lambda d: d[0] != file)
    node = next(
        (
            n
            for _f, doc in ordered
            for n in doc.iter(etree.Element)
            if ident and n.get("id") == ident
        ),
        None,
    )
    owner = label(node) if node is not None else (ident or "—")
    ref = ""
    if node is not None and detail.startswith("When looking for a task spec"):
        match = re.search(r"\(([^()]*)\)\s*$", detail)
        ref = match.group(1) if match else ""
        flow = next(
            (
                f
                for f in node.getparent().iterfind("bpmn:sequenceFlow", NS)
                if f.get("sourceRef") == ident and f.get("targetRef") == ref
            ),
            None,
        )
        if flow is not None:
            return Problem(
                file,
                flow.sourceline,
                _("顺序流 {flow} 的目标 {ref} 不存在").format(flow=flow.get("id"), ref=ref),
            )
    for pattern, message in _SPIFF_MESSAGES:
        if pattern.search(detail):
            return Problem(
                file,
                getattr(node, "sourceline", None),
                _(message).format(who=owner, ref=ref or "—"),
            )
    return Problem(
        file,
        getattr(node, "sourceline", None),
        _("流程引擎无法解析元素 {who}：{detail}").format(who=owner, detail=detail[:300]),
    )
