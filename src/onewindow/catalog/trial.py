"""Trying a service package before it is published (``onewindow service_try``), without a
database: the package is loaded and compiled as the catalogue does, then its process is run
with the engine's public API (``ProcessRun``) against a fake clock and fake actions.

* **Answers**: the form answers given, or sample answers made from the form's JSON Schema
  (:func:`trial_answers_sample`).
* **Actions**: decision tables (``decisions.evaluate``) run for real on the package's tables;
  every other action (``exchange.lookup``, ``payments.create_order``, ``licences.issue``,
  ``notify.send``, ``delivery.ship``, …) is replaced by a fake that returns a plausible
  result. The fakes reach the engine through ``context["actions"]`` for this run only; the
  engine's global action registry is never changed.
* **Clock**: starts at ``start``; ``wait`` moves it on before each user task is completed
  (so a "5 working days" reminder fires); when nothing is open but a timer waits, the clock
  jumps to it.
* **Paths**: at each open user task (the first one open, when several are) every decision
  (approve, reject) and, for its task form, every value of each yes/no or choice field is
  tried, breadth first, up to ``max_paths`` paths and ``max_steps`` steps a path. A state
  already reached by another path (same open tasks, same variables) is not explored twice.
  ``path`` runs one given sequence instead (``approve,reject:income_ok=false``).

A path ends approved, rejected, or stuck: an engine error (it names the element and the
missing variable), a failed action, or a run with nothing open, no timer and no end.
"""

from __future__ import annotations

import datetime
import itertools
import json
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.catalog.packages import ValidationContext, package_load, sources_from_paths
from onewindow.catalog.packages.process import process_compile, resolve_group
from onewindow.catalog.packages.source import PROCESS_FILE
from onewindow.catalog.packages.taskforms import task_forms_load
from onewindow.catalog.trialfakes import fake_actions, trial_answers_sample, working_days
from onewindow.catalog.trialgraph import process_graph
from onewindow.catalog.trialtypes import (
    APPLICANT,
    COMMENT,
    DECISIONS,
    SUBMIT,
    TABLE_ACTION,
    Choice,
    Step,
    TrialError,
    TrialPackage,
    TrialPath,
    TrialReport,
    trial_duration,
    trial_path_parse,
)
from onewindow.workflow import (
    ActionContext,
    EngineError,
    EventKind,
    OpenTask,
    ProcessRun,
    registered_actions,
)

__all__ = [
    "Choice",
    "TrialError",
    "TrialPackage",
    "TrialPath",
    "TrialReport",
    "trial_answers_sample",
    "trial_duration",
    "trial_explore",
    "trial_package_load",
    "trial_path_parse",
]


# -- loading ----------------------------------------------------------------------------------
def trial_package_load(*, path: str | Path) -> TrialPackage:
    """Load and compile one package folder (or zip) as the catalogue does, without the
    database: the vocabulary is checked, departments and roles are not. A process the
    checks refuse but the engine can still run (e.g. a condition reading a variable that
    nothing sets) is compiled without the data check, so the trial shows where it sticks."""
    sources, problems = sources_from_paths([path])
    if problems or len(sources) != 1:
        raise TrialError(_("请给出一个服务包（目录或 zip）。"), problems=[str(p) for p in problems])
    source = sources[0]
    package = package_load(source, ValidationContext.from_vocabulary())
    spec = dict(package.process_spec)
    called = {
        source.path(name): body
        for name, body in source.bpmn_files().items()
        if name != PROCESS_FILE
    }
    if not spec and package.definition:
        task_forms, _found = task_forms_load(source)
        result = process_compile(
            bpmn=source.files.get(PROCESS_FILE),
            called=called,
            file=source.path(PROCESS_FILE),
            definition=package.definition,
            variables=None,
            task_forms=task_forms,
        )
        if result.compiled is not None:
            spec = dict(result.compiled.spec)
    found = [str(p) for p in package.problems]
    if not spec:
        raise TrialError(_("流程无法编译，不能试运行。"), problems=found)
    name = package.definition.get("name")
    return TrialPackage(
        label=source.label,
        code=package.code,
        name=str(name.get("zh") or "") if isinstance(name, Mapping) else str(name or ""),
        definition=package.definition,
        form_schema=package.form_schema,
        spec=spec,
        graph=process_graph([package.bpmn.encode(), *called.values()]),
        problems=found,
    )


# -- the walk ---------------------------------------------------------------------------------
@dataclass
class _Node:
    steps: list[Step]
    now: datetime.datetime
    choices: tuple[str, ...] = ()
    order: tuple[int, ...] = ()
    visited: tuple[int, ...] = ()
    operations: int = 0
    waited: bool = False
    state: dict[str, Any] = field(default_factory=dict)
    task: OpenTask | None = None
    final_ends: list[str] = field(default_factory=list)


@dataclass
class _Call:
    element: str
    action: str
    result: dict[str, Any]
    error: str


class _Trial:
    def __init__(
        self,
        package: TrialPackage,
        *,
        answers: dict[str, Any],
        records: Mapping[str, Any],
        wait: datetime.timedelta | None,
        max_steps: int,
    ) -> None:
        self.package = package
        self.spec = package.spec
        self.answers = answers
        self.wait = wait
        self.max_steps = max_steps
        self.calls: list[_Call] = []
        self.seen_tasks: set[str] = set()
        self.reached_ends: set[str] = set()
        self.context: dict[str, Any] = {
            "add_working_days": working_days,
            "case_id": "trial",
            "service_code": package.code,
            "decisions": package.definition.get("decisions") or {},
            "actions": {
                name: self._recorded(name, fn) for name, fn in self._actions(records).items()
            },
        }

    def _actions(self, records: Mapping[str, Any]) -> dict[str, Callable[..., dict[str, Any]]]:
        """A fake for every action a service task can name (all registered ones, and those
        of this process): no real action ever runs. Unknown ones return nothing."""
        fakes = fake_actions(records)
        used = {info.get("action") for info in (self.spec.get("service_tasks") or {}).values()}
        names = {str(name) for name in used if name} | registered_actions()
        return {name: fakes.get(name, lambda ctx: {}) for name in sorted(names)}

    def _recorded(
        self, name: str, fn: Callable[[ActionContext], dict[str, Any]]
    ) -> Callable[[ActionContext], dict[str, Any]]:
        def run(ctx: ActionContext) -> dict[str, Any]:
            try:
                result = fn(ctx)
            except Exception as exc:
                self.calls.append(_Call(ctx.element_id, name, {}, str(exc)))
                raise
            self.calls.append(_Call(ctx.element_id, name, dict(result or {}), ""))
            return result

        return run

    # -- one path ------------------------------------------------------------------------------
    def begin(self, now: datetime.datetime) -> tuple[ProcessRun | None, _Node, tuple[str, str]]:
        node = _Node(steps=[], now=now)
        try:
            run = ProcessRun.start(self.spec, data=self.answers, now=now, context=self.context)
        except EngineError as exc:
            return None, node, ("stuck", str(exc))
        main = str((self.spec.get("process") or {}).get("name") or "")
        self._reach(node, run, set(self.package.graph.starts.get(main, [])), veto=False)
        return run, node, ("", "")

    def settle(self, run: ProcessRun, node: _Node) -> tuple[str, str] | None:
        """Advance until the run ends, sticks or waits for a user task (None)."""
        while True:
            if node.operations > self.max_steps:
                return "limit", _("超过每条路径最多 %(n)d 步的上限，未继续。") % {
                    "n": self.max_steps
                }
            stuck = self._advance(run, node)
            if stuck:
                return "stuck", stuck
            if run.finished:
                return str(run.outcome() or "approved"), ""
            open_tasks = run.open_user_tasks()
            self.seen_tasks.update(t.element_id for t in open_tasks)
            if open_tasks and self.wait and not node.waited:
                node.waited = True
                node.now += self.wait
                node.steps.append(
                    Step("clock", "", _("等待办理"), node.now, note=_("时钟前进到待办任务办理时"))
                )
                continue
            if open_tasks:
                return None
            due = run.next_timer_at()
            if due is None:
                return "stuck", self._standstill(node)
            node.now = max(node.now, due)
            node.operations += 1
            node.steps.append(
                Step(
                    "clock",
                    "",
                    _("等待定时器"),
                    node.now,
                    note=_("没有待办任务，时钟跳到定时器到期"),
                )
            )

    def _standstill(self, node: _Node) -> str:
        last = next((f"“{s.name}”（{s.element}）" for s in reversed(node.steps) if s.element), "—")
        return _(
            "流程停住了：没有待办的用户任务，也没有等待中的定时器，流程却没有结束"
            "（例如并行汇聚网关在等一条永远不会到达的分支）。最后完成的步骤：%(last)s"
        ) % {"last": last}

    def _advance(self, run: ProcessRun, node: _Node) -> str:
        self.calls.clear()
        try:
            events = run.advance(now=node.now, context=self.context)
        except EngineError as exc:
            return str(exc)
        calls = list(self.calls)
        passed: set[str] = set()
        failures: list[str] = []
        for event in events:
            kind, element = event.kind, event.element
            if kind is EventKind.TIMER_FIRED:
                passed.add(element)
                node.steps.append(Step("timer", element, self._name(element), node.now))
            elif kind in (EventKind.ACTION_DONE, EventKind.ACTION_FAILED):
                call = next((c for c in calls if c.element == element), None)
                if call is not None:
                    calls.remove(call)
                step = self._service_step(element, call, node.now)
                node.steps.append(step)
                if kind is EventKind.ACTION_DONE:
                    passed.add(element)
                else:
                    failures.append(
                        _("服务任务“%(name)s”（%(element)s，%(action)s）失败：%(error)s")
                        % {
                            "name": step.name,
                            "element": element,
                            "action": step.action,
                            "error": step.error or "—",
                        }
                    )
        self._reach(node, run, passed, veto=False)
        return "；".join(failures)

    def _service_step(self, element: str, call: _Call | None, now: datetime.datetime) -> Step:
        info = (self.spec.get("service_tasks") or {}).get(element) or {}
        action = str(info.get("action") or (call.action if call else ""))
        return Step(
            "service",
            element,
            str(info.get("name") or self._name(element)),
            now,
            action=action,
            simulated=action != TABLE_ACTION,
            result=call.result if call else {},
            error=call.error if call else "",
        )

    def complete(
        self, run: ProcessRun, node: _Node, task: OpenTask, choice: Choice
    ) -> tuple[str, str] | None:
        applicant = APPLICANT in task.candidate_groups
        info = (self.spec.get("user_tasks") or {}).get(task.element_id) or {}
        form = info.get("form") or {}
        findings = {**trial_answers_sample(form), **dict(choice.findings)} if form else {}
        if applicant:
            data = {**self.answers, "decision": "", "comment": ""}
        else:
            data = {**findings, "decision": choice.decision, "comment": COMMENT}
        group, assignee = self._group(task)
        node.steps.append(
            Step(
                "task",
                task.element_id,
                task.name,
                node.now,
                group=group,
                assignee=assignee,
                decision=SUBMIT if applicant else choice.decision,
                findings=findings,
            )
        )
        node.operations += 1
        node.waited = False
        try:
            run.complete(task.uid, data=data, now=node.now, context=self.context)
        except EngineError as exc:
            return "stuck", str(exc)
        veto = (
            run.finished
            and run.outcome() == "rejected"
            and choice.decision == "reject"
            and not applicant
            and not info.get("routes_rejection", False)
        )
        still_open = any(t.element_id == task.element_id for t in run.open_user_tasks())
        self._reach(node, run, set() if still_open else {task.element_id}, veto=veto)
        if veto:
            node.steps[-1].note = _("不同意且流程未对此分支路由：办件即告不予")
        return None

    def _group(self, task: OpenTask) -> tuple[str, str]:
        groups = task.candidate_groups
        if not groups:
            return "", ""
        index = task.instance_index
        group = groups[index % len(groups)] if index is not None and len(groups) > 1 else groups[0]
        target = resolve_group(group, self.package.definition.get("roles") or {})
        return group, f"{target[0]}:{target[1]}" if target else ""

    def _reach(self, node: _Node, run: ProcessRun, passed: set[str], *, veto: bool) -> None:
        """Record the end events the steps in ``passed`` led to (see trialgraph)."""
        if veto or not passed:
            return
        candidates = self.package.graph.ends_after(passed)
        reached = {end for end, gated in candidates.items() if not gated}
        if run.finished:
            outcomes = self.spec.get("end_events") or {}
            gated = [end for end, via in candidates.items() if via]
            exact = [end for end in gated if outcomes.get(end) == run.outcome()]
            plain = [end for end in gated if end not in outcomes]
            reached.update(exact or plain or gated)
            node.final_ends = sorted(reached)
        self.reached_ends.update(reached)

    def _name(self, element: str) -> str:
        return self.package.graph.name(element)

    def options(self, task: OpenTask) -> list[Choice]:
        if APPLICANT in task.candidate_groups:
            return [Choice(SUBMIT)]
        info = (self.spec.get("user_tasks") or {}).get(task.element_id) or {}
        varied = []
        for name, prop in ((info.get("form") or {}).get("properties") or {}).items():
            if not isinstance(prop, Mapping):
                continue
            if isinstance(prop.get("enum"), list) and prop["enum"]:
                varied.append((name, list(prop["enum"])))
            elif prop.get("type") == "boolean":
                varied.append((name, [True, False]))
        names = [name for name, _values in varied]
        combos = list(itertools.product(*(values for _name, values in varied)))
        return [
            Choice(d, tuple(zip(names, combo, strict=True))) for d in DECISIONS for combo in combos
        ]


class _Explorer:
    """Breadth first over the choices at each branch point (a state with open user tasks)."""

    def __init__(self, trial: _Trial, *, path: list[Choice] | None, max_paths: int) -> None:
        self.trial = trial
        self.path = path
        self.max_paths = max_paths
        self.paths: list[TrialPath] = []
        self.queue: deque[_Node] = deque()
        self.seen: dict[str, int] = {}  # state at a branch point → its number

    def finish(self, node: _Node, status: str, message: str, merged: int | None = None) -> None:
        if self.path is not None and status in ("approved", "rejected"):
            left = len(self.path) - len(node.choices)
            if left > 0:
                message = _("流程已结束，路径中还有 %(n)d 步没有用到。") % {"n": left}
        self.paths.append(
            TrialPath(
                choices=list(node.choices),
                steps=node.steps,
                status=status,
                message=message,
                end_events=node.final_ends,
                order=node.order,
                visited=node.visited,
                merged_node=merged,
            )
        )

    def grow(self, run: ProcessRun, node: _Node) -> None:
        """Run on to the next branch point and queue it (or end the path)."""
        ended = self.trial.settle(run, node)
        if ended is not None:
            self.finish(node, *ended)
            return
        open_tasks = run.open_user_tasks()
        if self.path is not None and len(node.choices) >= len(self.path):
            message = _("给定的路径已走完，流程在“%(task)s”等待办理。")
            self.finish(node, "open", message % {"task": open_tasks[0].name})
            return
        if self.path is None:
            key = json.dumps(
                [sorted((t.element_id, t.instance_index or 0) for t in open_tasks), run.data()],
                sort_keys=True,
                default=str,
                ensure_ascii=False,
            )
            if key in self.seen:
                self.finish(node, "merged", "", merged=self.seen[key])
                return
            self.seen[key] = len(self.seen) + 1
            node.visited = (*node.visited, self.seen[key])
        node.state = run.state()
        node.task = open_tasks[0]
        self.queue.append(node)

    def expand(self, node: _Node) -> None:
        """Complete the node's first open task once per option, each from its own copy."""
        task = node.task
        assert task is not None
        if self.path is not None:
            choice = self.path[len(node.choices)]
            if (choice.decision == SUBMIT) != (APPLICANT in task.candidate_groups):
                message = _(
                    "路径第 %(n)d 步不适用于“%(task)s”：申请人的补正任务写 submit，"
                    "部门的任务写 approve、reject 或 supplement。"
                )
                self.finish(node, "open", message % {"n": len(node.choices) + 1, "task": task.name})
                return
            options = [(0, choice)]
        else:
            options = list(enumerate(self.trial.options(task)))
        for index, choice in options:
            child = replace(
                node,
                steps=list(node.steps),
                choices=(*node.choices, choice.token),
                order=(*node.order, index),
                state={},
                task=None,
                final_ends=[],
            )
            run = ProcessRun.restore(self.trial.spec, node.state)
            ended = self.trial.complete(run, child, task, choice)
            if ended is not None:
                self.finish(child, *ended)
            else:
                self.grow(run, child)

    def explore(self, start: datetime.datetime) -> tuple[list[TrialPath], bool]:
        run, root, ended = self.trial.begin(start)
        if run is None:
            self.finish(root, *ended)
        else:
            self.grow(run, root)
        while self.queue and len(self.paths) < self.max_paths:
            self.expand(self.queue.popleft())
        truncated = bool(self.queue) or len(self.paths) > self.max_paths
        paths = sorted(self.paths, key=lambda p: p.order)[: self.max_paths]
        for number, item in enumerate(paths, start=1):
            item.number = number
        for item in paths:
            if item.merged_node is None:
                continue
            item.merged_with = next(
                (
                    other.number
                    for other in paths
                    if other.status != "merged" and item.merged_node in other.visited
                ),
                None,
            )
            item.message = (
                _("与路径 %(n)d 经过的状态相同（同样的待办任务和流程变量），不再重复探索。")
                % {"n": item.merged_with}
                if item.merged_with
                else _("与已探索的状态相同（同样的待办任务和流程变量），不再重复探索。")
            )
        return paths, truncated


def trial_explore(
    *,
    package: TrialPackage,
    answers: dict[str, Any] | None = None,
    records: Mapping[str, Any] | None = None,
    wait: datetime.timedelta | None = None,
    start: datetime.datetime | None = None,
    max_paths: int = 50,
    max_steps: int = 200,
    path: list[Choice] | None = None,
) -> TrialReport:
    """Run the package's process along every path (or the one ``path``) and report.
    ``answers``: the form answers (default: :func:`trial_answers_sample`); ``records``:
    what ``exchange.lookup`` finds, resource code → the applicant's record or None."""
    given = answers is not None
    answers = dict(answers) if answers is not None else trial_answers_sample(package.form_schema)
    start = start or datetime.datetime(2025, 3, 3, 9, 0, tzinfo=timezone.get_default_timezone())
    trial = _Trial(package, answers=answers, records=records or {}, wait=wait, max_steps=max_steps)
    paths, truncated = _Explorer(trial, path=path, max_paths=max_paths).explore(start)
    return TrialReport(
        package=package,
        answers=answers,
        answers_given=given,
        start=start,
        wait="" if wait is None else _duration_text(wait),
        paths=paths,
        unreached_end_events=[e for e in package.graph.end_events() if e not in trial.reached_ends],
        unreached_user_tasks=[
            t for t in (package.spec.get("user_tasks") or {}) if t not in trial.seen_tasks
        ],
        truncated=truncated,
    )


def _duration_text(value: datetime.timedelta) -> str:
    hours, rest = divmod(value.seconds, 3600)
    time = (f"{hours}H" if hours else "") + (f"{rest // 60}M" if rest // 60 else "")
    text = "P" + (f"{value.days}D" if value.days else "") + (f"T{time}" if time else "")
    return text if text != "P" else "PT0S"
