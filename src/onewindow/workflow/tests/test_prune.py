"""The stored state does not grow with completed history, and pruning keeps joins right."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from onewindow.workflow import ProcessRun

from .conftest import compiled_spec, open_by_element, stored, texts


def _size(run: ProcessRun) -> int:
    return len(json.dumps(run.state()))


def test_state_holds_no_spec() -> None:
    spec = compiled_spec("loop.bpmn")
    run = ProcessRun.start(spec, data={})
    state = json.dumps(run.state())
    assert "spec" not in run.state()["workflow"]
    assert '"typename": "UserTask"' not in state and "BpmnProcessSpec" not in state


def test_state_size_at_300_completed_tasks_equals_size_at_10() -> None:
    spec = compiled_spec("loop.bpmn")
    run = ProcessRun.start(spec, data={"applicant": "韩梅梅"})
    sizes = {}
    for step in range(1, 301):
        run = ProcessRun.restore(spec, stored(run))
        (uid,) = open_by_element(run)["review"]
        run.complete(uid, data={"decision": "again", "comment": f"第{step}次"})
        if step in (10, 300):
            sizes[step] = _size(run)
            assert len(run.workflow.tasks) < 15
    assert sizes[300] <= sizes[10] * 1.05
    (uid,) = open_by_element(run)["review"]
    run.complete(uid, data={"decision": "done"})
    assert run.outcome() == "approved" and run.data()["comment"] == "第300次"


def test_parallel_join_inside_a_loop_waits_for_both_branches_every_round() -> None:
    spec = compiled_spec("parallel_loop.bpmn")
    run = ProcessRun.start(spec, data={"iteration": 0, "rounds": 40})
    sizes = []
    for iteration in range(1, 41):
        opened = open_by_element(run)
        assert set(opened) == {"a", "b"}, iteration
        first, second = ("a", "b") if iteration % 2 else ("b", "a")
        run = ProcessRun.restore(spec, stored(run))
        run.complete(opened[first][0], data={"iteration": iteration, first: iteration})
        run = ProcessRun.restore(spec, stored(run))
        assert set(open_by_element(run)) == {second}, iteration  # the join still waits
        run.complete(opened[second][0], data={"iteration": iteration, second: iteration})
        sizes.append(_size(run))
    assert run.finished and run.outcome() == "approved"
    # Both branches' data reach the join. (For a key that both branches carry — here "b"
    # from the previous round — the branch that arrives last wins, as in SpiffWorkflow.)
    assert run.data()["a"] == 40 and run.data()["b"] == 39 and run.data()["iteration"] == 40
    assert max(sizes[5:]) <= sizes[5] * 1.05


def _trace(spec: dict, script: list[tuple[str, dict]], data: dict) -> list:
    run = ProcessRun.start(spec, data=data)
    trace: list[object] = []
    for element, values in script:
        uid = open_by_element(run)[element][0]
        run.complete(uid, data=values)
        trace.append((sorted(t.element_id for t in run.open_user_tasks()), run.data()))
    trace.append((run.finished, run.outcome()))
    return trace


def test_pruning_changes_nothing_a_user_can_see(monkeypatch) -> None:
    loop = compiled_spec("parallel_loop.bpmn")
    loop_script: list[tuple[str, dict]] = []
    for i in range(1, 6):
        loop_script += [("a", {"iteration": i, "a": i}), ("b", {"iteration": i, "b": i})]
    default = compiled_spec("parallel_departments.bpmn")
    default_script: list[tuple[str, dict]] = [
        ("accept", {"decision": "approve"}),
        ("tax", {"decision": "approve"}),
        ("social", {"decision": "approve", "x": 1}),
        ("market", {"decision": "approve"}),
        ("conclude", {"decision": "approve"}),
    ]
    pruned = [
        _trace(loop, loop_script, {"iteration": 0, "rounds": 5}),
        _trace(default, default_script, {}),
    ]
    monkeypatch.setattr("onewindow.workflow.runtime.prune", lambda wf: 0)
    unpruned = [
        _trace(loop, loop_script, {"iteration": 0, "rounds": 5}),
        _trace(default, default_script, {}),
    ]
    assert pruned == unpruned


def _reminder_rounds(spec: dict, rounds: int) -> tuple[list[int], list[object], ProcessRun]:
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    run = ProcessRun.start(spec, data={}, now=now)
    sizes: list[int] = []
    decisions: list[object] = []
    for i in range(rounds):
        run = ProcessRun.restore(spec, stored(run))
        now += timedelta(hours=2)
        events = texts(run.advance(now=now, context={}))
        assert events == ["timer_fired:remind", "action_done:notify"]
        run.complete(open_by_element(run)["review"][0], data={"decision": "x"}, now=now)
        for index, decision in ((0, "approve"), (1, "supplement" if i < rounds - 1 else "approve")):
            (task,) = run.open_user_tasks()
            assert (task.element_id, task.instance_index) == ("sign", index)
            run = ProcessRun.restore(spec, stored(run))
            run.complete(task.uid, data={"decision": decision}, now=now)
        sizes.append(len(json.dumps(run.state())))
        decisions.append(run.data().get("decisions"))
    return sizes, decisions, run


def test_boundary_timer_subprocess_and_sequential_signing_in_a_loop(monkeypatch) -> None:
    """A non-interrupting reminder fires every round, then an embedded sub-process with
    sequential signing; the applicant is asked for supplements 39 times."""
    spec = compiled_spec("loop_reminder.bpmn")
    sizes, decisions, run = _reminder_rounds(spec, 40)
    assert run.finished and run.outcome() == "approved"
    assert max(sizes[3:-1]) <= sizes[3] * 1.05
    assert decisions[-1] == ["approve", "approve"]
    pruned = _reminder_rounds(spec, 4)[1]
    monkeypatch.setattr("onewindow.workflow.runtime.prune", lambda wf: 0)
    assert _reminder_rounds(spec, 4)[1] == pruned
