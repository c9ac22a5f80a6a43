"""Which variables are definitely set where: the data check of the validator.

A must-analysis over each (sub-)process graph: the variables set when an element starts are
the intersection of those its incoming paths set (the union at a parallel join, where every
branch arrives), computed to the greatest fixed point, so a loop back neither hides nor
invents a variable. What an element sets: a user task ``decision``, ``comment`` and its task
form's fields; a multi-instance task ``decision``, ``decisions``, ``comments`` (and, inside,
its element variable); ``decisions.evaluate`` its table's outputs; ``exchange.lookup``
``exchange`` and ``exchange_<resource>``; another action what it declares
(``register_action(..., outputs=...)``), or anything when it declares nothing; a call
activity what the called process sets (through ``camunda:in``/``camunda:out`` when mapped);
a sub-process what its inside sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import expressions, taskforms
from .actions import action_outputs
from .flowgraph import (
    CAMUNDA_NS,
    GATEWAYS,
    NS,
    SCOPES,
    Facts,
    Report,
    Scope,
    Vars,
    label,
    local,
    reverse_postorder,
)

DECISIONS_ACTION = "decisions.evaluate"
USER_RESULTS = frozenset({"decision", "comment"})
MULTI_RESULTS = frozenset({"decision", "decisions", "comments"})
MISSING = gettext_noop(
    "{what}读取变量 {name}，但在到达此处的路径上没有任何表单、任务表单、决策表或服务任务设置它"
)


def _meet(sets: Iterable[Vars], *, union: bool) -> Vars:
    known = []
    for item in sets:
        if item is None:
            if union:
                return None
            continue
        known.append(item)
    if not known:
        return None
    result = set(known[0])
    for item in known[1:]:
        result = result | item if union else result & item
    return frozenset(result)


def _with(base: Vars, more: Vars) -> Vars:
    if base is None or more is None:
        return None
    return base | more


def _reads(text: str | None) -> set[str]:
    if not text or not text.strip():
        return set()
    try:
        return expressions.names(text)
    except expressions.UnsafeExpression:
        return set()  # reported by the element pass


def _params(node: Any) -> list[tuple[Any, str, str]]:
    return [
        (param, param.get("name") or "", (param.text or "").strip())
        for param in node.iterfind(".//camunda:inputOutput/camunda:inputParameter", NS)
    ]


def _mapping(node: Any, direction: str) -> list[tuple[str, str]] | None:
    """``camunda:in``/``camunda:out`` of a call activity as (source, target) pairs,
    ``("*", "*")`` for ``variables="all"``; None when there is none (every variable
    crosses, as SpiffWorkflow does)."""
    found = [
        item
        for item in node.findall(f"bpmn:extensionElements/camunda:{direction}", NS)
        if item.get("businessKey") is None
    ]
    if not found:
        return None
    pairs = []
    for item in found:
        if item.get("variables") == "all":
            pairs.append(("*", "*"))
        elif item.get("source") and item.get("target"):
            pairs.append((str(item.get("source")), str(item.get("target"))))
    return pairs


def _mapped(pairs: list[tuple[str, str]], source: Vars, into: Vars) -> Vars:
    """What a mapping leaves in ``into`` when it copies from ``source``."""
    if source is None or into is None:
        return None
    result = set(into)
    for name, target in pairs:
        if name == "*":
            result |= source
        elif name in source:
            result.add(target)
    return frozenset(result)


@dataclass
class _Result:
    before: dict[str, Vars]  # node → variables set when it starts
    after: dict[str, Vars]  # node → variables set when it completes
    end: Vars  # when the (sub-)process completes


class Dataflow:
    """The analysis of one compilation: :meth:`check` a process from the variables it
    starts with; called processes and sub-processes are analysed from their call sites."""

    def __init__(
        self,
        *,
        facts: Facts,
        index: Mapping[str, Scope],
        decisions: Mapping[str, Any] | None,
        report: Report,
    ) -> None:
        self.facts = facts
        self.index = index
        self.decisions = decisions
        self.report = report
        self.memo: dict[tuple[int, Vars], _Result] = {}
        self.active: set[int] = set()
        self.reported: set[tuple[int, Vars]] = set()

    # The variables an element sets, given those set before it.
    def sets(self, scope: Scope, node_id: str, before: Vars) -> Vars:
        node = scope.nodes[node_id]
        tag = local(node)
        if tag == "userTask":
            if node.find("bpmn:multiInstanceLoopCharacteristics", NS) is not None:
                return MULTI_RESULTS
            return USER_RESULTS | taskforms.form_fields(self.facts.task_forms.get(node_id))
        if tag == "serviceTask":
            return self.action_sets(node_id, node)
        if tag in SCOPES:
            inner = scope.inner[node_id]
            return self.analyse(inner, before).end
        return frozenset()

    def action_sets(self, node_id: str, node: Any) -> Vars:
        service = self.facts.service.get(node_id) or {}
        action = service.get("action") or (node.get(f"{{{CAMUNDA_NS}}}topic") or "").strip()
        params = {name: value for _p, name, value in _params(node)}
        if action == DECISIONS_ACTION:
            table = (self.decisions or {}).get(params.get("table", ""))
            outputs = table.get("outputs") if isinstance(table, Mapping) else None
            if not isinstance(outputs, list):
                return None
            return frozenset(
                str(o["code"]) for o in outputs if isinstance(o, Mapping) and o.get("code")
            )
        return action_outputs(action, params)

    def call_start(self, node: Any, before: Vars) -> Vars:
        """What the called process starts with (``camunda:in``)."""
        into = _mapping(node, "in")
        return before if into is None else _mapped(into, before, frozenset())

    def call_after(self, node: Any, before: Vars) -> Vars:
        """What the caller has after a call activity: the called process's variables, or
        its own plus those ``camunda:out`` maps back."""
        called = self.index.get(node.get("calledElement") or "")
        if called is None or before is None:
            return None
        end = self.analyse(called, self.call_start(node, before)).end
        out = _mapping(node, "out")
        return end if out is None else _mapped(out, end, before)

    def transfer(self, scope: Scope, node_id: str, before: Vars) -> Vars:
        if scope.tag(node_id) == "callActivity":
            return self.call_after(scope.nodes[node_id], before)
        return _with(before, self.sets(scope, node_id, before))

    def analyse(self, scope: Scope, start: Vars) -> _Result:
        key = (id(scope), start)
        if key in self.memo:
            return self.memo[key]
        if id(scope) in self.active:  # a process that calls itself: assume anything
            return _Result({}, {}, None)
        self.active.add(id(scope))
        try:
            result = self._fixpoint(scope, start)
        finally:
            self.active.discard(id(scope))
        self.memo[key] = result
        return result

    def _fixpoint(self, scope: Scope, start: Vars) -> _Result:
        order = reverse_postorder(scope)
        before: dict[str, Vars] = {n: None for n in scope.nodes}
        after: dict[str, Vars] = {n: None for n in scope.nodes}
        starts = set(scope.starts())
        for _round in range(len(order) + 10):
            changed = False
            for node_id in order:
                node = scope.nodes[node_id]
                tag = local(node)
                if node_id in starts:
                    entry = start
                elif tag == "boundaryEvent":
                    entry = before.get(node.get("attachedToRef") or "")
                else:
                    incoming = [after[scope.source(f)] for f in scope.incoming[node_id]]
                    union = tag == "parallelGateway" and len(incoming) > 1
                    entry = _meet(incoming, union=union)
                done = self.transfer(scope, node_id, entry)
                if entry != before[node_id] or done != after[node_id]:
                    before[node_id], after[node_id] = entry, done
                    changed = True
            if not changed:
                break
        ends = [after[n] for n in scope.nodes if scope.tag(n) == "endEvent" and n in order]
        return _Result(before, after, _meet(ends, union=False) if ends else None)

    # Reporting, once the sets are final.
    def check(self, scope: Scope, start: Vars) -> None:
        key = (id(scope), start)
        if key in self.reported or start is None:
            return
        self.reported.add(key)
        result = self.analyse(scope, start)
        for flow_id, flow in scope.flows.items():
            condition = flow.find("bpmn:conditionExpression", NS)
            source = flow.get("sourceRef") or ""
            if condition is None or source not in scope.nodes:
                continue
            node = scope.nodes[source]
            if local(node) in GATEWAYS:
                what = _("网关 {who} 的条件").format(who=label(node))
            else:
                what = _("顺序流 {flow} 的条件").format(flow=flow_id)
            self.missing(scope, condition, what, _reads(condition.text), result.after[source])
        for node_id, node in scope.nodes.items():
            before = result.before[node_id]
            tag = local(node)
            loop = node.find("bpmn:multiInstanceLoopCharacteristics", NS)
            if loop is not None:
                self.multi_instance(scope, node_id, node, loop, before)
            if tag == "serviceTask":
                for param, name, value in _params(node):
                    if value.startswith("${"):
                        what = _("服务任务 {who} 的输入参数 {param} 的表达式").format(
                            who=label(node), param=name
                        )
                        self.missing(scope, param, what, _reads(value), before)
            if tag == "callActivity" and before is not None:
                called = self.index.get(node.get("calledElement") or "")
                if called is not None:
                    self.check(called, self.call_start(node, before))
            if tag in SCOPES and before is not None:
                self.check(scope.inner[node_id], before)

    def multi_instance(
        self, scope: Scope, node_id: str, node: Any, loop: Any, before: Vars
    ) -> None:
        owner = label(node)
        collection = (loop.get(f"{{{CAMUNDA_NS}}}collection") or "").strip()
        if collection:
            what = _("多实例任务 {who} 的集合").format(who=owner)
            self.missing(scope, loop, what, _reads(collection), before)
        cardinality = loop.find("bpmn:loopCardinality", NS)
        if cardinality is not None:
            what = _("多实例任务 {who} 的实例数").format(who=owner)
            self.missing(scope, cardinality, what, _reads(cardinality.text), before)
        condition = loop.find("bpmn:completionCondition", NS)
        if condition is not None:
            inside: set[str] = set(USER_RESULTS | MULTI_RESULTS)
            inside |= taskforms.form_fields(self.facts.task_forms.get(node_id))
            element = (loop.get(f"{{{CAMUNDA_NS}}}elementVariable") or "").strip()
            if element:
                inside.add(element)
            what = _("多实例任务 {who} 的完成条件").format(who=owner)
            self.missing(
                scope, condition, what, _reads(condition.text), _with(before, frozenset(inside))
            )

    def missing(self, scope: Scope, where: Any, what: str, names: set[str], known: Vars) -> None:
        if known is None:
            return
        for name in sorted(names - known):
            self.report.add(scope.file, where, _(MISSING).format(what=what, name=name))
