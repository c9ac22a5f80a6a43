"""The drawing of a package's process as ``service_try`` needs it: element names and kinds,
and which end events lie after a step the trial saw happen.

The engine tells a caller which user tasks are open, which service tasks ran and which timers
fired, but not which end event a run reached. The trial infers it from the drawing: an end
event that follows a step with nothing but unobservable elements (events, sub-process
borders) in between was reached when that step was; one that lies behind a gateway was
reached when the run finished in the same operation and its outcome fits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
OBSERVED = frozenset({"userTask", "serviceTask"})  # opened / run: the trial sees them
CONTAINERS = frozenset({"process", "subProcess"})


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


@dataclass
class ProcessGraph:
    kinds: dict[str, str] = field(default_factory=dict)  # element id → BPMN tag
    names: dict[str, str] = field(default_factory=dict)
    container: dict[str, str] = field(default_factory=dict)  # element → process/sub-process
    outgoing: dict[str, list[str]] = field(default_factory=dict)
    starts: dict[str, list[str]] = field(default_factory=dict)  # container → start events
    calls: dict[str, str] = field(default_factory=dict)  # call activity → called process
    timers: set[str] = field(default_factory=set)  # timer catch and boundary events

    def name(self, element: str) -> str:
        return self.names.get(element) or element

    def end_events(self) -> list[str]:
        return [e for e, kind in self.kinds.items() if kind == "endEvent"]

    def observed(self, element: str) -> bool:
        return self.kinds.get(element) in OBSERVED or element in self.timers

    def _exits(self, container: str) -> list[str]:
        """Where the flow goes on when ``container`` ends: after the sub-process element,
        or after every call activity that calls this process."""
        if self.kinds.get(container) == "subProcess":
            return [container]
        return [call for call, called in self.calls.items() if called == container]

    def _entries(self, element: str) -> list[str]:
        kind = self.kinds.get(element)
        if kind == "subProcess":
            return self.starts.get(element, [])
        if kind == "callActivity":
            return self.starts.get(self.calls.get(element, ""), [])
        return []

    def ends_after(self, sources: set[str]) -> dict[str, bool]:
        """End events reachable from ``sources`` without passing another observed step;
        the value says whether every way there passes a gateway."""
        found: dict[str, bool] = {}
        seen: set[tuple[str, bool]] = set()
        stack = [(source, False) for source in sorted(sources)]
        while stack:
            element, gated = stack.pop()
            for target in self.outgoing.get(element, []):
                via = gated or self.kinds.get(target, "").endswith("Gateway")
                if (target, via) in seen or self.observed(target):
                    continue
                seen.add((target, via))
                if self.kinds.get(target) == "endEvent":
                    found[target] = found.get(target, True) and via
                    stack.extend((after, via) for after in self._exits(self.container[target]))
                    continue
                entries = self._entries(target)
                if entries:
                    stack.extend((start, via) for start in entries)
                else:
                    stack.append((target, via))
        return found


def process_graph(documents: list[bytes]) -> ProcessGraph:
    """The graph of the main process file and the files its call activities use."""
    graph = ProcessGraph()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    for document in documents:
        try:
            root = etree.fromstring(document, parser=parser)
        except etree.XMLSyntaxError:
            continue
        for process in root.iter(f"{{{BPMN_NS}}}process"):
            _collect(graph, process, str(process.get("id") or ""))
    return graph


def _collect(graph: ProcessGraph, container: etree._Element, container_id: str) -> None:
    for node in container:
        kind = _local(node.tag)
        element = str(node.get("id") or "")
        if not element:
            continue
        if kind == "sequenceFlow":
            source, target = node.get("sourceRef"), node.get("targetRef")
            if source and target:
                graph.outgoing.setdefault(str(source), []).append(str(target))
            continue
        graph.kinds[element] = kind
        graph.names[element] = str(node.get("name") or "")
        graph.container[element] = container_id
        if kind == "startEvent":
            graph.starts.setdefault(container_id, []).append(element)
        if (
            kind in ("boundaryEvent", "intermediateCatchEvent")
            and node.find(f"{{{BPMN_NS}}}timerEventDefinition") is not None
        ):
            graph.timers.add(element)
        if kind == "callActivity":
            graph.calls[element] = str(node.get("calledElement") or "")
        if kind in CONTAINERS:
            _collect(graph, node, element)
