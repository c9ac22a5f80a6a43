"""Drop completed history from a running workflow so its stored state stays small.

SpiffWorkflow keeps every task it ever created in one tree: a case that loops through
"supplement" ten times carries all of those tasks, and serialising and restoring them makes
each step slower than the last. Our timeline (CaseEvent rows) is the audit record, so the
engine state only needs what the next steps read. After every operation we keep:

* the root task and the workflow's ``last_task``;
* every unfinished task (future, waiting, ready, started), its parent (a task inherits its
  data from its parent, and joins look at the parent of each instance) and its children
  (the instances of a running multi-instance task);
* for a waiting *structured* join (the join after a task with boundary events), the path
  back to its split and the split's children, which that join inspects;
* for an *unstructured* join (parallel/inclusive gateways, the end join), the finished
  instances of the current round and their parents — the branches that already arrived,
  the latest one per incoming flow (the joins count arrivals per flow; a non-interrupting
  reminder that fires every round and ends at the same end event would otherwise pile up
  at the end join). Once an instance of the join completes (the round fired), the instances
  it consumed are marked and dropped at the next prune;
* sub-process workflows whose owning task is still kept.

Everything else is removed and each kept task is re-attached to its nearest kept ancestor,
so "is descendant of" relations among kept tasks are unchanged. Known limit: a standard
loop marker (refused at compile time) would keep one child per iteration.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.util.task import TaskState


def prune(workflow: Any) -> int:
    """Prune the top workflow and its sub-processes in place; returns tasks removed."""
    removed = _prune_tree(workflow)
    for sub in list(workflow.subprocesses.values()):
        removed += _prune_tree(sub)
    while True:
        live = set(workflow.tasks)
        for sub in workflow.subprocesses.values():
            live.update(sub.tasks)
        orphans = [tid for tid in workflow.subprocesses if tid not in live]
        if not orphans:
            break
        for tid in orphans:
            removed += len(workflow.subprocesses.pop(tid).tasks)
    return removed


def _keep_set(wf: Any) -> set[UUID]:
    tasks = wf.tasks
    keep: set[UUID] = {wf.task_tree.id}
    if wf.last_task is not None and wf.last_task.id in tasks:
        keep.add(wf.last_task.id)
    joins: dict[str, list[Any]] = defaultdict(list)
    for task in tasks.values():
        spec = task.task_spec
        if isinstance(spec, UnstructuredJoin):
            joins[spec.name].append(task)
        if not task.has_state(TaskState.NOT_FINISHED_MASK):
            continue
        keep.add(task.id)
        if task._parent is not None:
            keep.add(task._parent)
        keep.update(task._children)
        if isinstance(spec, Join) and not isinstance(spec, UnstructuredJoin) and spec.split_task:
            ancestor = task.parent
            while ancestor is not None:
                keep.add(ancestor.id)
                if ancestor.task_spec.name == spec.split_task:
                    keep.update(ancestor._children)
                    break
                ancestor = ancestor.parent
    for instances in joins.values():
        for fired in instances:
            if fired.state != TaskState.COMPLETED or fired.internal_data.get("ow_fired"):
                continue
            fired.internal_data["ow_fired"] = True
            for other in instances:
                if other is not fired and other.has_state(TaskState.FINISHED_MASK):
                    other.internal_data["ow_consumed"] = True
        # Joins count arrivals per incoming flow (the parent's spec); of several arrivals from
        # the same flow in one round only the latest is needed.
        latest: dict[str, tuple[tuple[float, int], Any]] = {}
        for order, task in enumerate(instances):
            data = task.internal_data
            parent = task.parent
            if parent is None or not task.has_state(TaskState.FINISHED_MASK):
                continue
            if data.get("ow_fired") or data.get("ow_consumed"):
                continue
            rank = (task.last_state_change, order)
            name = parent.task_spec.name
            if name not in latest or latest[name][0] <= rank:
                latest[name] = (rank, task)
        for _rank, task in latest.values():
            keep.add(task.id)
            keep.add(task._parent)
    return keep


def _prune_tree(wf: Any) -> int:
    tasks = wf.tasks
    keep = _keep_set(wf)
    if len(keep) == len(tasks):
        return 0
    # Pre-order walk of the original tree: gives each kept task its nearest kept ancestor
    # and keeps children in their original order.
    new_children: dict[UUID, list[UUID]] = {tid: [] for tid in keep}
    new_parent: dict[UUID, UUID | None] = {}
    stack: list[tuple[UUID, UUID | None]] = [(wf.task_tree.id, None)]
    while stack:
        tid, kept_ancestor = stack.pop()
        task = tasks.get(tid)
        if task is None:
            continue
        if tid in keep:
            new_parent[tid] = kept_ancestor
            if kept_ancestor is not None:
                new_children[kept_ancestor].append(tid)
            kept_ancestor = tid
        stack.extend((child, kept_ancestor) for child in reversed(task._children))
    manager = wf.top_workflow.event_manager
    removed = 0
    for tid in list(tasks):
        if tid not in new_parent:
            manager.tasks.pop(tid, None)
            del tasks[tid]
            removed += 1
    for tid, task in tasks.items():
        task._parent = new_parent[tid]
        task._children = new_children[tid]
    return removed
