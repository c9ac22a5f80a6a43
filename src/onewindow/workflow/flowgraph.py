"""The sequence-flow graph of a BPMN process, as the validator (``graph.py``,
``dataflow.py``) walks it: one :class:`Scope` per process or embedded sub-process."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .problems import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}

KINDS = {
    "startEvent": gettext_noop("开始事件"),
    "endEvent": gettext_noop("结束事件"),
    "intermediateCatchEvent": gettext_noop("中间事件"),
    "intermediateThrowEvent": gettext_noop("中间事件"),
    "boundaryEvent": gettext_noop("边界事件"),
    "userTask": gettext_noop("用户任务"),
    "serviceTask": gettext_noop("服务任务"),
    "scriptTask": gettext_noop("任务"),
    "sendTask": gettext_noop("任务"),
    "receiveTask": gettext_noop("任务"),
    "manualTask": gettext_noop("任务"),
    "businessRuleTask": gettext_noop("任务"),
    "task": gettext_noop("任务"),
    "callActivity": gettext_noop("调用活动"),
    "subProcess": gettext_noop("子流程"),
    "transaction": gettext_noop("子流程"),
    "adHocSubProcess": gettext_noop("子流程"),
    "exclusiveGateway": gettext_noop("排他网关"),
    "parallelGateway": gettext_noop("并行网关"),
    "inclusiveGateway": gettext_noop("包容网关"),
    "eventBasedGateway": gettext_noop("事件网关"),
    "complexGateway": gettext_noop("复杂网关"),
}
ACTIVITIES = frozenset(
    {
        "userTask",
        "serviceTask",
        "scriptTask",
        "sendTask",
        "receiveTask",
        "manualTask",
        "businessRuleTask",
        "task",
        "callActivity",
        "subProcess",
        "transaction",
        "adHocSubProcess",
    }
)
SCOPES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
GATEWAYS = frozenset(
    {
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)
CONDITIONAL = frozenset({"exclusiveGateway", "inclusiveGateway"})
CHOICES = frozenset({"exclusiveGateway", "inclusiveGateway", "eventBasedGateway"})
BRANCHING = GATEWAYS | {"startEvent"}  # SpiffWorkflow refuses several exits elsewhere
# A set of variables definitely set; None: any variable may be set (not computed yet, or
# after an action that does not say what it sets).
Vars = frozenset[str] | None


class Facts(Protocol):
    """What the lxml pass of ``parser.py`` learned (``_Pass``)."""

    task_forms: dict[str, dict[str, Any]]
    service: dict[str, dict[str, Any]]
    end_events: dict[str, str]


def local(node: Any) -> str:
    tag = node.tag if isinstance(node.tag, str) else ""
    return tag.split("}", 1)[1] if tag.startswith(f"{{{BPMN_NS}}}") else ""


def label(node: Any) -> str:
    ident = node.get("id") or "?"
    name = (node.get("name") or "").strip()
    return f"{ident}（{name}）" if name and name != ident else ident


def kind_of(node: Any) -> str:
    return _(KINDS.get(local(node), gettext_noop("元素")))


@dataclass
class Scope:
    """A process or an embedded sub-process: its flow nodes and sequence flows."""

    file: str
    element: Any
    nodes: dict[str, Any] = field(default_factory=dict)
    flows: dict[str, Any] = field(default_factory=dict)
    outgoing: dict[str, list[str]] = field(default_factory=dict)  # node → flow ids
    incoming: dict[str, list[str]] = field(default_factory=dict)
    boundaries: dict[str, list[str]] = field(default_factory=dict)  # activity → events
    inner: dict[str, Scope] = field(default_factory=dict)  # sub-process id → its scope

    @classmethod
    def read(cls, file: str, element: Any) -> Scope:
        scope = cls(file, element)
        for child in element:
            tag = local(child)
            if tag == "sequenceFlow":
                scope.flows[child.get("id") or ""] = child
            elif tag in KINDS and child.get("id"):
                scope.nodes[child.get("id")] = child
                if tag in SCOPES:
                    scope.inner[child.get("id")] = cls.read(file, child)
        for node_id in scope.nodes:
            scope.outgoing[node_id] = []
            scope.incoming[node_id] = []
        for flow_id, flow in scope.flows.items():
            source, target = flow.get("sourceRef") or "", flow.get("targetRef") or ""
            if source in scope.nodes and target in scope.nodes:
                scope.outgoing[source].append(flow_id)
                scope.incoming[target].append(flow_id)
        for node_id, node in scope.nodes.items():
            attached = node.get("attachedToRef") or ""
            if local(node) == "boundaryEvent" and attached in scope.nodes:
                scope.boundaries.setdefault(attached, []).append(node_id)
        return scope

    def source(self, flow_id: str) -> str:
        return str(self.flows[flow_id].get("sourceRef"))

    def target(self, flow_id: str) -> str:
        return str(self.flows[flow_id].get("targetRef"))

    def successors(self, node_id: str) -> list[str]:
        """Flow targets, and the boundary events of an activity (they start while it runs)."""
        return [self.target(f) for f in self.outgoing[node_id]] + self.boundaries.get(node_id, [])

    def starts(self) -> list[str]:
        return [n for n, node in self.nodes.items() if local(node) == "startEvent"]

    def tag(self, node_id: str) -> str:
        return local(self.nodes[node_id])

    def all_scopes(self) -> list[Scope]:
        found = [self]
        for inner in self.inner.values():
            found += inner.all_scopes()
        return found


class Report:
    """The problems found, each once, listed file by file in line order."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, int | None, str], Problem] = {}

    def add(self, file: str, node: Any, message: str, *, warning: bool = False) -> None:
        line = getattr(node, "sourceline", None) if node is not None else None
        key = (file, line, message)
        if key not in self.found:
            self.found[key] = Problem(file, line, message, warning=warning)

    @property
    def problems(self) -> list[Problem]:
        files = list(dict.fromkeys(p.file for p in self.found.values()))
        return sorted(self.found.values(), key=lambda p: (files.index(p.file), p.line or 0))


def forward(scope: Scope, roots: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        stack.extend(scope.successors(node_id))
    return seen


def reverse_postorder(scope: Scope) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()
    for start in scope.starts():
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(scope.successors(start)))]
        while stack:
            node_id, children = stack[-1]
            for child in children:
                if child not in seen:
                    seen.add(child)
                    stack.append((child, iter(scope.successors(child))))
                    break
            else:
                stack.pop()
                order.append(node_id)
    return list(reversed(order))


ROOT = "\0root"


def dominators(scope: Scope, reached: set[str]) -> dict[str, str]:
    """Immediate dominators (Cooper, Harvey & Kennedy) from a virtual root before the start
    events; boundary events hang below their activity."""
    successors = {n: [s for s in scope.successors(n) if s in reached] for n in reached}
    successors[ROOT] = [s for s in scope.starts() if s in reached]
    order: list[str] = []
    seen: set[str] = set()

    def visit(start: str) -> None:  # iterative post-order
        stack = [(start, iter(successors[start]))]
        seen.add(start)
        while stack:
            node_id, children = stack[-1]
            for child in children:
                if child not in seen:
                    seen.add(child)
                    stack.append((child, iter(successors[child])))
                    break
            else:
                stack.pop()
                order.append(node_id)

    visit(ROOT)
    rank = {n: i for i, n in enumerate(order)}
    predecessors: dict[str, list[str]] = {n: [] for n in rank}
    for node_id, targets in successors.items():
        for target in targets:
            if node_id in rank and target in rank:
                predecessors[target].append(node_id)
    idom = {ROOT: ROOT}

    def meet(a: str, b: str) -> str:
        while a != b:
            while rank[a] < rank[b]:
                a = idom[a]
            while rank[b] < rank[a]:
                b = idom[b]
        return a

    changed = True
    while changed:
        changed = False
        for node_id in reversed(order):
            if node_id == ROOT:
                continue
            done = [p for p in predecessors[node_id] if p in idom]
            if not done:
                continue
            new = done[0]
            for other in done[1:]:
                new = meet(other, new)
            if idom.get(node_id) != new:
                idom[node_id] = new
                changed = True
    return idom


def dominator_chain(idom: dict[str, str], node_id: str) -> list[str]:
    chain = [node_id]
    while chain[-1] != ROOT:
        chain.append(idom[chain[-1]])
    return chain
