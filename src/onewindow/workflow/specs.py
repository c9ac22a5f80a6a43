"""Our task-spec variants and the serializer registry that knows them.

* ``ClockTimer``: a duration timer that reads the run's clock (``advance(now=...)``) instead
  of the wall clock, and can count working days through the caller's calendar.
* ``CollectingParallelMI`` / ``CollectingSequentialMI``: multi-instance (会签) tasks whose
  collection and element variable are fixed when the BPMN is compiled (Camunda's own variant
  rewrites the spec at run time, which is lost when a run is restored) and which collect each
  signer's ``decision`` into ``decisions``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from SpiffWorkflow.bpmn.serializer.default.event_definition import (
    TimerConditionalEventDefinitionConverter,
)
from SpiffWorkflow.bpmn.serializer.default.task_spec import (
    BpmnTaskSpecConverter,
    MultiInstanceTaskConverter,
    SubWorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import (
    CallActivity,
    ParallelMultiInstanceTask,
    SequentialMultiInstanceTask,
    ServiceTask,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState

# SpiffWorkflow logs every state change at INFO and, when its loggers have no level of their
# own, attaches the whole task list and task data to each record. Our timeline records what
# matters; keep the engine quiet and cheap.
for _name in ("spiff.task", "spiff.workflow", "spiff.data", "spiff.dmn"):
    logging.getLogger(_name).setLevel(logging.WARNING)

WORKING_DAYS = re.compile(r"^workingDays\s*[:=]?\s*(\d{1,3})$", re.IGNORECASE)


def parse_timer(expression: str) -> tuple[str, Any]:
    """``("working_days", n)`` or ``("duration", parsed ISO-8601 duration dict)``; ValueError.

    The duration is accepted as the modeler and SpiffWorkflow write it: ``P5D``, ``"P5D"``,
    ``'P5D'``, ``${"P5D"}``, with whitespace around any part."""
    text = (expression or "").strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    match = WORKING_DAYS.match(text)
    if match:
        return "working_days", int(match.group(1))
    if not text.upper().startswith("P"):
        raise ValueError(text)
    try:
        return "duration", TimerEventDefinition.parse_iso_duration(text)
    except Exception as exc:
        raise ValueError(text) from exc


def weekdays_only(start: date, days: int) -> date:
    """Fallback calendar (Monday–Friday) when the caller gives no ``add_working_days``."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def due_at(expression: str, start: datetime, add_working_days: Any = None) -> datetime:
    kind, value = parse_timer(expression)
    if kind == "working_days":
        day = (add_working_days or weekdays_only)(start.date(), value)
        return datetime.combine(day, start.timetz() if start.tzinfo else time())
    return start + TimerEventDefinition.get_timedelta_from_start(dict(value), start)


def as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class ClockTimer(DurationTimerEventDefinition):
    """Duration timer armed from the run's clock; fires only inside ``advance``."""

    def has_fired(self, my_task: Any) -> bool:
        engine = my_task.workflow.top_workflow.script_engine
        if my_task._get_internal_data("event_value") is None:
            start = as_utc(engine.now or datetime.now(UTC))
            due = due_at(self.expression, start, engine.add_working_days)
            my_task._set_internal_data(event_value=as_utc(due).isoformat())
        if engine.fire_timers and engine.now is not None:
            due = datetime.fromisoformat(my_task._get_internal_data("event_value"))
            if due <= as_utc(engine.now):
                my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


def _combined(decisions: list[Any]) -> str | None:
    if not decisions:
        return None
    if "reject" in decisions:
        return "reject"
    if "supplement" in decisions:
        return "supplement"
    if all(d == "approve" for d in decisions):
        return "approve"
    return None


class _Collecting:
    """Collects each instance's ``decision``/``comment`` by instance index."""

    def _collect(self, my_task: Any, child: Any) -> None:
        results = my_task.internal_data.setdefault("ow_results", {})
        index = child.internal_data.get("key_or_index")
        if index is None:
            index = child.internal_data.get("item")
        results[str(index)] = {
            "decision": child.data.get("decision"),
            "comment": child.data.get("comment"),
        }
        order = sorted(results, key=lambda k: (len(k), k))
        decisions = [results[k]["decision"] for k in order]
        my_task.data["decisions"] = decisions
        my_task.data["comments"] = [results[k]["comment"] for k in order]
        if len(decisions) == len(list(self._instances(my_task))):  # type: ignore[attr-defined]
            my_task.data["decision"] = _combined(decisions)
        my_task.internal_data["merged"].append(str(child.id))


class CollectingParallelMI(_Collecting, ParallelMultiInstanceTask):
    def merge_child(self, workflow: Any, child: Any) -> None:
        my_task = child.parent
        self._collect(my_task, child)
        if self.check_completion_condition(my_task):
            for other in self._instances(my_task):
                other.cancel()
            my_task.data["decision"] = child.data.get("decision")
            my_task._set_state(TaskState.READY)
        elif self.children_complete(my_task):
            my_task._set_state(TaskState.READY)


class CollectingSequentialMI(_Collecting, SequentialMultiInstanceTask):
    def merge_child(self, workflow: Any, child: Any) -> None:
        my_task = child.parent
        self._collect(my_task, child)
        if self.check_completion_condition(my_task):
            my_task.data["decision"] = child.data.get("decision")
            my_task._set_state(TaskState.READY)
        elif self.children_complete(my_task):
            my_task.data["decision"] = _combined(my_task.data["decisions"])
            my_task._set_state(TaskState.READY)
        else:
            self.add_next_child(my_task)


class MappedCallActivity(CallActivity):
    """A call activity honouring Camunda's ``camunda:in`` / ``camunda:out`` mappings.

    ``in_map`` / ``out_map``: lists of ``[source, target]`` (``["*", "*"]`` for
    ``variables="all"``). ``None`` (no mapping written) passes every variable, as
    SpiffWorkflow does; with mappings, only the mapped variables cross (Camunda 7)."""

    def __init__(
        self,
        wf_spec: Any,
        bpmn_id: str,
        subworkflow_spec: str,
        in_map: list[list[str]] | None = None,
        out_map: list[list[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(wf_spec, bpmn_id, subworkflow_spec, **kwargs)
        self.in_map = in_map
        self.out_map = out_map

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        if self.in_map is None:
            super().copy_data(my_task, subworkflow)
            return
        start = subworkflow.get_next_task(
            subworkflow.task_tree, skip_subprocesses=True, spec_name="Start"
        )
        start.set_data(**_mapped(self.in_map, my_task.data, {}))

    def update_data(self, my_task: Any, subworkflow: Any) -> None:
        if self.out_map is None:
            super().update_data(my_task, subworkflow)
            return
        my_task.data = _mapped(
            self.out_map, subworkflow.last_task.data, copy.deepcopy(my_task.data)
        )


def _mapped(
    mapping: list[list[str]], source: dict[str, Any], into: dict[str, Any]
) -> dict[str, Any]:
    for name, target in mapping:
        if name == "*":
            into.update(copy.deepcopy(source))
        elif name in source:
            into[target] = copy.deepcopy(source[name])
    return into


class MappedCallActivityConverter(SubWorkflowConverter):
    def to_dict(self, spec: Any) -> dict[str, Any]:
        dct = super().to_dict(spec)
        dct["in_map"] = spec.in_map
        dct["out_map"] = spec.out_map
        return dct


CONFIG = dict(CAMUNDA_CONFIG)
CONFIG[MappedCallActivity] = MappedCallActivityConverter
CONFIG[ServiceTask] = BpmnTaskSpecConverter  # external tasks: the action is in our spec meta
CONFIG[ClockTimer] = TimerConditionalEventDefinitionConverter
CONFIG[CollectingParallelMI] = MultiInstanceTaskConverter
CONFIG[CollectingSequentialMI] = MultiInstanceTaskConverter

_serializer: BpmnWorkflowSerializer | None = None


def spec_digest(spec: dict[str, Any]) -> str:
    """Content digest of a compiled spec (the key of the restored-spec cache)."""
    body = {k: v for k, v in spec.items() if k != "digest"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def serializer() -> BpmnWorkflowSerializer:
    global _serializer
    if _serializer is None:
        _serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CONFIG))
    return _serializer
