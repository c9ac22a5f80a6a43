from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from onewindow.workflow import ProcessRun, compile_process

BPMN_DIR = Path(__file__).parent / "bpmn"


def bpmn(name: str) -> bytes:
    return (BPMN_DIR / name).read_bytes()


def compiled_spec(name: str, **kwargs: Any) -> dict[str, Any]:
    result = compile_process(bpmn(name), filename=name, **kwargs)
    assert result.problems == []
    return result.spec


def stored(run: ProcessRun, *, shuffle: bool = True) -> dict[str, Any]:
    """The state as the database gives it back: JSON, keys possibly reordered (JSONB)."""
    state = json.loads(json.dumps(run.state()))
    if shuffle:
        tasks = list(state["workflow"]["tasks"].items())
        random.Random(7).shuffle(tasks)
        state["workflow"]["tasks"] = dict(tasks)
    return state


def open_by_element(run: ProcessRun) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for task in run.open_user_tasks():
        result.setdefault(task.element_id, []).append(task.uid)
    return result


@pytest.fixture
def roundtrip():
    """Complete a task, then restore from stored state, as the cases app does each step."""

    def step(
        spec: dict[str, Any], run: ProcessRun, uid: str, data: dict[str, Any], **kwargs: Any
    ) -> ProcessRun:
        run.complete(uid, data=data, **kwargs)
        before = [(t.uid, t.element_id) for t in run.open_user_tasks()]
        again = ProcessRun.restore(spec, stored(run))
        assert [(t.uid, t.element_id) for t in again.open_user_tasks()] == before
        return again

    return step


@pytest.fixture
def action_registry():
    """The action registry as the apps registered it, restored after the test (a test may
    replace ``exchange.lookup`` and the like with its own callable)."""
    from onewindow.workflow import actions

    saved = (dict(actions._REGISTRY), dict(actions._OUTPUTS))
    yield actions
    actions._REGISTRY.clear()
    actions._REGISTRY.update(saved[0])
    actions._OUTPUTS.clear()
    actions._OUTPUTS.update(saved[1])


def texts(events: list[Any]) -> list[str]:
    """The events ``advance`` reported, in the text form the audit trail records."""
    return [str(event) for event in events]
