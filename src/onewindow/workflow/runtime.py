"""Running one process instance: start, restore, complete user tasks, advance in a worker."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from django.utils.translation import gettext as _
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

from . import expressions
from .actions import ActionContext, get_action
from .events import EventKind, RunEvent
from .problems import EngineError, RunFinished, TaskNotFound, TaskNotOpen
from .prune import prune
from .specs import (
    ClockTimer,
    CollectingParallelMI,
    CollectingSequentialMI,
    as_utc,
    serializer,
    spec_digest,
)

STATE_FORMAT = 1
OUTCOMES = ("approved", "rejected", "withdrawn")
_SPEC_CACHE: dict[str, tuple[Any, dict[str, Any]]] = {}
_SPEC_CACHE_SIZE = 256


@dataclass(frozen=True)
class OpenTask:
    uid: str
    element_id: str
    name: str
    candidate_groups: tuple[str, ...]
    instance_index: int | None


def _instance_group(group: str, data: dict[str, Any]) -> str:
    """``${dept}`` (or ``${dept}:approver``) of a 会签 instance: its element variable's value,
    e.g. the department code chosen on the form."""
    if "${" not in group:
        return group
    try:
        return expressions.PLACEHOLDER.sub(
            lambda m: str(expressions.evaluate(m.group(1), data)), group
        )
    except Exception as exc:
        raise EngineError(
            _("会签实例的候选组“{group}”无法求值：{error}").format(group=group, error=exc),
            code="process_error",
        ) from exc


@contextmanager
def _engine_errors() -> Iterator[None]:
    """A step that cannot be run (e.g. a condition on a variable nothing set): an
    EngineError naming the element and, for a missing variable, the variable, in Chinese."""
    try:
        yield
    except SpiffWorkflowException as exc:
        raise EngineError(run_error_message(exc), code="process_error") from exc


_MISSING = re.compile(r"未定义的变量 (\w+)")


def run_error_message(exc: SpiffWorkflowException) -> str:
    spec = getattr(exc, "task_spec", None) or getattr(getattr(exc, "task", None), "task_spec", None)
    element = getattr(spec, "bpmn_id", None) or ""
    name = getattr(spec, "bpmn_name", None) or element
    cause = exc.__context__ or getattr(exc, "exception", None)
    missing = _MISSING.search(str(cause or ""))
    where = _("“{name}”（{id}）").format(name=name, id=element) if element else ""
    if missing:
        return _(
            "流程在{where}无法继续：条件读取的变量 {variable} 没有值（申请表、任务表单、决策表"
            "或之前的服务任务都没有设置它）。请修正流程或申请表后重试。"
        ).format(where=where, variable=missing.group(1))
    detail = str(exc.args[0]) if exc.args else type(exc).__name__
    if cause is not None:
        detail = f"{detail}（{cause}）"
    return _("流程在{where}无法继续：{detail}").format(where=where, detail=detail[:300])


def _load_spec(spec: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Restore (and cache by content digest) the Spiff spec objects of a compiled spec."""
    if "process" not in spec:
        raise EngineError("invalid process spec")
    key = spec.get("digest") or spec_digest(spec)
    cached = _SPEC_CACHE.get(key)
    if cached is None:
        registry = serializer().registry
        process = registry.restore(copy.deepcopy(spec["process"]))
        subs = {
            name: registry.restore(copy.deepcopy(sub))
            for name, sub in spec.get("subprocesses", {}).items()
        }
        if len(_SPEC_CACHE) >= _SPEC_CACHE_SIZE:
            _SPEC_CACHE.pop(next(iter(_SPEC_CACHE)))
        cached = _SPEC_CACHE[key] = (process, subs)
    return cached


def _workflow_converter() -> Any:
    return serializer().registry.convert_from_dict["BpmnWorkflow"].args[0].__self__


def _preorder(dct: dict[str, Any]) -> dict[str, Any]:
    """Order a serialised task mapping parents-first (JSONB does not keep key order)."""
    tasks = dct["tasks"]
    ordered: dict[str, Any] = {}
    stack = [dct["root"]]
    while stack:
        tid = stack.pop()
        if tid in ordered or tid not in tasks:
            continue
        ordered[tid] = tasks[tid]
        stack.extend(reversed(tasks[tid]["children"]))
    dct["tasks"] = ordered
    return dct


class ProcessRun:
    """One process instance. ``state()`` holds only the instance state, never the spec."""

    def __init__(self, spec: dict[str, Any], workflow: BpmnWorkflow, meta: dict[str, Any]):
        self._spec = spec
        self.workflow = workflow
        self._meta = meta

    # -- construction -------------------------------------------------------------------
    @classmethod
    def start(
        cls,
        spec: dict[str, Any],
        *,
        data: dict[str, Any],
        now: datetime | None = None,
        context: dict[str, Any] | None = None,
    ) -> ProcessRun:
        process, subs = _load_spec(spec)
        workflow = BpmnWorkflow(process, subs, script_engine=expressions.SafeScriptEngine())
        run = cls(spec, workflow, {"outcome": None})
        run._clock(now, context, fire=False)
        workflow.task_tree.data.update(copy.deepcopy(data))
        with _engine_errors():
            run._steps(services=False, events=[], failed=set())
        run._settle()
        return run

    @classmethod
    def restore(cls, spec: dict[str, Any], state: dict[str, Any]) -> ProcessRun:
        if state.get("format") != STATE_FORMAT:
            raise EngineError("unknown process state format")
        process, subs = _load_spec(spec)
        dct = copy.deepcopy(state["workflow"])
        _preorder(dct)
        for sub in dct.get("subprocesses", {}).values():
            _preorder(sub)
        converter = _workflow_converter()
        registry = serializer().registry
        workflow = BpmnWorkflow(
            process, subs, script_engine=expressions.SafeScriptEngine(), deserializing=True
        )
        workflow.tasks = converter.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        converter.set_default_attributes(workflow, dct)
        converter.subprocesses_from_dict(dct.get("subprocesses", {}), workflow)
        workflow.bpmn_events = registry.restore(dct.get("bpmn_events", []))
        return cls(spec, workflow, dict(state.get("run", {})))

    def state(self) -> dict[str, Any]:
        converter = _workflow_converter()
        registry = serializer().registry
        wf = self.workflow
        dct = {
            "data": registry.convert(registry.clean(wf.data)),
            "correlations": wf.correlations,
            "last_task": str(wf.last_task.id) if wf.last_task is not None else None,
            "success": wf.success,
            "completed": wf.completed,
            "tasks": converter.mapping_to_dict(wf.tasks),
            "root": str(wf.task_tree.id),
            "subprocesses": converter.mapping_to_dict(wf.subprocesses),
            "bpmn_events": registry.convert(wf.bpmn_events),
        }
        return {"format": STATE_FORMAT, "workflow": dct, "run": dict(self._meta)}

    # -- reading ------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return bool(
            self._meta.get("outcome") in ("rejected", "withdrawn") or self.workflow.is_completed()
        )

    def data(self) -> dict[str, Any]:
        wf = self.workflow
        if wf.is_completed() and wf.data and wf.success:
            merged = dict(wf.data)
        else:
            live = [
                t
                for t in wf.tasks.values()
                if t.has_state(TaskState.COMPLETED | TaskState.DEFINITE_MASK)
            ]
            merged = {}
            for task in sorted(live, key=lambda t: t.last_state_change):
                DeepMerge.merge(merged, task.data)
        merged.pop("data_objects", None)
        return copy.deepcopy(merged)

    def open_user_tasks(self) -> list[OpenTask]:
        if self.finished:
            return []
        meta = self._spec.get("user_tasks", {})
        result = []
        for task in self.workflow.get_tasks(state=TaskState.READY, manual=True):
            element = task.task_spec.bpmn_id
            info = meta.get(element, {})
            index = None
            if "key_or_index" in task.internal_data or "item" in task.internal_data:
                raw = task.internal_data.get("key_or_index", task.internal_data.get("item"))
                index = raw if isinstance(raw, int) else None
            result.append(
                OpenTask(
                    uid=str(task.id),
                    element_id=element,
                    name=info.get("name") or task.task_spec.bpmn_name or element,
                    candidate_groups=tuple(
                        _instance_group(group, task.data)
                        for group in info.get("candidate_groups", ())
                    ),
                    instance_index=index,
                )
            )
        return result

    def steps_before(self, uid: str) -> list[str]:
        """Element ids of the service tasks on a task's own path in the drawing since the
        element before them, nearest first: the look-ups at the head of a parallel branch
        are what that branch's check was given. Read from the process definition (the
        instance keeps no finished tasks): backwards along single incoming flows, through
        service tasks and the engine's hidden steps, stopping at anything else (a gateway,
        an event, another user task); [] for an unknown task."""
        try:
            task = self.workflow.tasks.get(UUID(uid))
        except ValueError:
            return []
        found: list[str] = []
        spec = task.task_spec if task is not None else None
        seen: set[str] = set()
        while spec is not None and len(spec.inputs) == 1 and spec.name not in seen:
            seen.add(spec.name)
            spec = spec.inputs[0]
            if isinstance(spec, ServiceTask):
                found.append(str(spec.bpmn_id))
            elif getattr(spec, "bpmn_id", None) is not None:
                break  # hidden engine steps (a boundary event's split) have no bpmn_id
        return found

    def next_timer_at(self) -> datetime | None:
        if self.finished:
            return None
        due = []
        for task in self.workflow.get_tasks(state=TaskState.WAITING):
            definition = getattr(task.task_spec, "event_definition", None)
            value = task.internal_data.get("event_value")
            if (
                isinstance(definition, ClockTimer)
                and value
                and not task.internal_data.get("event_fired")
            ):
                due.append(datetime.fromisoformat(value))
        return min(due) if due else None

    def outcome(self) -> str | None:
        """The decision that ended the run: a rejection (by a department, a sign-off, an
        eligibility table's ``outcome``, or a ``rejected`` end) is never turned into an
        approval by the name of the end event the drawing reaches afterwards."""
        recorded = self._meta.get("outcome")
        if recorded in ("rejected", "withdrawn"):
            return str(recorded)
        if not self.finished:
            return None
        variable = self.data().get("outcome")
        if variable == "rejected" or self._meta.get("last_decision") == "reject":
            return "rejected"
        return "approved"

    # -- acting -------------------------------------------------------------------------
    def complete(
        self,
        uid: str,
        *,
        data: dict[str, Any],
        now: datetime | None = None,
        context: dict[str, Any] | None = None,
    ) -> None:
        """Record a user's step; runs gateways and events, never service tasks or timers."""
        if self.finished:
            raise RunFinished()
        try:
            task = self.workflow.get_task_from_id(UUID(str(uid)))
        except (ValueError, TaskNotFoundException):
            raise TaskNotFound() from None
        if task is None:
            raise TaskNotFound()
        if task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotOpen()
        self._clock(now, context, fire=False)
        task.data.update(copy.deepcopy(data))
        with _engine_errors():
            task.run()
            if not self._decided(task):
                self._steps(services=False, events=[], failed=set())
        self._settle()

    def _decided(self, task: Any) -> bool:
        """Record the decision this completion made. A rejection the process does not route
        itself (no gateway on ``decision`` after the task) ends the whole run as rejected at
        once: open parallel branches are cancelled. Returns True when the run ended.

        A 会签 instance decides for its sign-off only when the sign-off is over (a veto, or
        the last opinion collected); then the sign-off's combined decision counts."""
        meta = self._spec.get("user_tasks", {})
        owner = task
        parent = task.parent
        if parent is not None and isinstance(
            parent.task_spec, (CollectingParallelMI, CollectingSequentialMI)
        ):
            if parent.state != TaskState.READY:
                return False  # other signers still to sign
            owner = parent
        decision = owner.data.get("decision")
        info = meta.get(owner.task_spec.bpmn_id, {})
        if "applicant" in info.get("candidate_groups", ()) or decision not in ("approve", "reject"):
            return False
        self._meta["last_decision"] = decision
        if decision == "reject" and not info.get("routes_rejection", False):
            if owner is not task:
                owner.run()  # the sign-off is over: keep its collected opinions
            self._meta["outcome"] = "rejected"
            self.workflow.cancel()
            return True
        return False

    def set_variables(self, values: dict[str, Any], *, remove: tuple[str, ...] = ()) -> None:
        """Change process variables wherever the process will still read them — every task
        kept in the instance (open, waiting, and those a join will merge), sub-processes and
        the workflow's own data — so gateways, tables and actions evaluated from now on see
        the new values (the applicant corrected the form). ``remove``: variables to drop."""
        if self.finished:
            raise RunFinished()
        workflows = [self.workflow, *self.workflow.subprocesses.values()]
        for wf in workflows:
            for data in [wf.data, *(task.data for task in wf.tasks.values())]:
                for name in remove:
                    data.pop(name, None)
                data.update(copy.deepcopy(values))

    def advance(self, *, now: datetime, context: dict[str, Any]) -> list[RunEvent]:
        """Run gateways, service tasks (registered actions) and timers due at ``now``; what
        happened, in order."""
        events: list[RunEvent] = []
        if self.finished:
            return events
        self._clock(now, context, fire=True)
        failed: set[UUID] = set()
        try:
            with _engine_errors():
                for _round in range(1000):
                    self._steps(services=True, events=events, failed=failed)
                    if self.finished:
                        break
                    self.workflow.refresh_timers()
                    if not self._runnable(failed):
                        break
        finally:
            self.workflow.script_engine.fire_timers = False
        self._settle()
        if self.finished:
            events.append(RunEvent(EventKind.FINISHED, outcome=self.outcome() or ""))
        return events

    def cancel(self) -> None:
        """Withdrawal: cancel every open task; the outcome becomes ``withdrawn``."""
        if self.finished:
            raise RunFinished()
        self.workflow.cancel()
        self._meta["outcome"] = "withdrawn"
        self._settle()

    # -- internals ----------------------------------------------------------------------
    def _clock(self, now: datetime | None, context: dict[str, Any] | None, *, fire: bool) -> None:
        engine = self.workflow.script_engine
        engine.now = as_utc(now or datetime.now(UTC))
        engine.fire_timers = fire
        engine.add_working_days = (context or {}).get("add_working_days")
        self._context = dict(context or {})

    def _runnable(self, failed: set[UUID]) -> bool:
        return any(
            t.id not in failed and not t.task_spec.manual
            for t in self.workflow.get_tasks(state=TaskState.READY)
        )

    def _steps(self, *, services: bool, events: list[RunEvent], failed: set[UUID]) -> None:
        wf = self.workflow
        for _round in range(10_000):
            progressed = False
            for sub in sorted(wf.get_active_subprocesses(), key=lambda s: s.depth, reverse=True):
                while self._run_ready(sub, services, events, failed):
                    progressed = True
                if sub.parent_task_id is not None:
                    owner = wf.get_task_from_id(sub.parent_task_id)
                    owner.task_spec._update(owner)
            active = len(wf.get_active_subprocesses())
            if self._run_ready(wf, services, events, failed):
                progressed = True
            if len(wf.get_active_subprocesses()) > active:
                progressed = True
            if self.finished or not progressed:
                return
        raise EngineError("process does not settle (endless automatic loop)")

    def _run_ready(
        self, wf: Any, services: bool, events: list[RunEvent], failed: set[UUID]
    ) -> bool:
        ran = False
        for task in wf.get_tasks(state=TaskState.READY):
            if self.finished:
                return ran
            spec = task.task_spec
            if spec.manual or task.id in failed or task.state != TaskState.READY:
                continue
            if isinstance(spec, ServiceTask):
                if not services:
                    continue
                if not self._call_action(task, events):
                    failed.add(task.id)
                    continue
            else:
                if isinstance(spec, CatchingEvent) and isinstance(
                    spec.event_definition, ClockTimer
                ):
                    events.append(RunEvent(EventKind.TIMER_FIRED, spec.bpmn_id))
                task.run()
            ran = True
            if isinstance(spec, EndEvent) and task.workflow is self.workflow:
                self._ended(spec.bpmn_id, events)
        return ran

    def _call_action(self, task: Any, events: list[RunEvent]) -> bool:
        element = task.task_spec.bpmn_id
        info = self._spec.get("service_tasks", {}).get(element)
        if info is None:
            raise EngineError(f"service task {element} has no action")
        try:
            params = {
                name: expressions.evaluate(value[2:-1], task.data)
                if value.startswith("${") and value.endswith("}")
                else value
                for name, value in info.get("params", {}).items()
            }
            ctx = ActionContext(
                action=info["action"],
                key=f"{self._context.get('case_id', '')}:{element}:{task.id}",
                element_id=element,
                params=params,
                data=copy.deepcopy(task.data),
                context=self._context,
            )
            # context["actions"] (name → callable) runs instead of the registry, for this
            # run only: the catalogue's dry run (service_try) passes its fakes that way.
            action = (self._context.get("actions") or {}).get(info["action"])
            result = (action or get_action(info["action"]))(ctx)
        except Exception as exc:
            errors = self._meta.setdefault("errors", {})
            errors[element] = f"{type(exc).__name__}: {exc}"[:300]
            events.append(RunEvent(EventKind.ACTION_FAILED, element))
            return False
        self._meta.get("errors", {}).pop(element, None)
        task.data.update(copy.deepcopy(result or {}))
        task.run()
        if task.state == TaskState.STARTED:
            task.complete()
        events.append(RunEvent(EventKind.ACTION_DONE, element))
        return True

    def _ended(self, element: str, events: list[RunEvent]) -> None:
        outcome = self._spec.get("end_events", {}).get(element)
        if outcome == "rejected":
            self._meta["outcome"] = "rejected"
            self.workflow.cancel()
        elif outcome and not self._meta.get("outcome"):
            self._meta["outcome"] = outcome

    def _settle(self) -> None:
        prune(self.workflow)
