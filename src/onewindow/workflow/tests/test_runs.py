"""Behaviour of running processes: what staff and applicants see at each step."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from onewindow.workflow import (
    ProcessRun,
    RunFinished,
    TaskNotFound,
    TaskNotOpen,
    default_process,
    register_action,
)
from onewindow.workflow.actions import ActionContext

from .conftest import compiled_spec, open_by_element, stored, texts

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def _only(run: ProcessRun, element: str) -> str:
    uids = open_by_element(run)[element]
    assert len(uids) == 1
    return uids[0]


def test_parallel_departments_all_approve_then_join(roundtrip) -> None:
    spec = compiled_spec("parallel_departments.bpmn")
    run = ProcessRun.start(spec, data={"company": "广州示例科技有限公司"})
    run = roundtrip(spec, run, _only(run, "accept"), {"decision": "approve"})
    opened = run.open_user_tasks()
    assert {t.element_id: t.candidate_groups for t in opened} == {
        "market": ("gz-scjgj:approver",),
        "tax": ("gz-swj:approver",),
        "social": ("gz-rsj:approver",),
    }
    run = roundtrip(spec, run, _only(run, "tax"), {"decision": "approve"})
    run = roundtrip(spec, run, _only(run, "market"), {"decision": "approve"})
    assert set(open_by_element(run)) == {"social"}  # the join waits for the last branch
    run = roundtrip(spec, run, _only(run, "social"), {"decision": "approve"})
    assert set(open_by_element(run)) == {"conclude"}
    run = roundtrip(spec, run, _only(run, "conclude"), {"decision": "approve"})
    assert run.finished and run.outcome() == "approved"
    assert run.data()["company"] == "广州示例科技有限公司"
    assert run.open_user_tasks() == []


def test_rejection_in_one_branch_ends_rejected_and_cancels_the_others(roundtrip) -> None:
    spec = compiled_spec("parallel_departments.bpmn")
    run = ProcessRun.start(spec, data={})
    run = roundtrip(spec, run, _only(run, "accept"), {"decision": "approve"})
    run = roundtrip(spec, run, _only(run, "market"), {"decision": "approve"})
    run = roundtrip(spec, run, _only(run, "tax"), {"decision": "reject", "comment": "欠税"})
    assert run.finished
    assert run.outcome() == "rejected"
    assert run.open_user_tasks() == []
    assert run.next_timer_at() is None


def test_exclusive_gateway_on_form_data() -> None:
    spec = compiled_spec("form_gateway.bpmn")
    poor = ProcessRun.start(spec, data={"income": 2500, "household_size": 4})
    assert set(open_by_element(poor)) == {"fast_track"}
    other = ProcessRun.start(spec, data={"income": 2500, "household_size": 1})
    assert set(open_by_element(other)) == {"normal_review"}


def test_countersign_collects_each_signers_decision(roundtrip) -> None:
    spec = compiled_spec("countersign.bpmn")
    run = ProcessRun.start(spec, data={"signers": ["张三", "李四", "王五"]})
    opened = run.open_user_tasks()
    assert [t.instance_index for t in opened] == [0, 1, 2]
    assert all(
        t.element_id == "sign" and t.candidate_groups == ("gz-zjj:approver",) for t in opened
    )
    run = roundtrip(spec, run, opened[1].uid, {"decision": "approve"})
    run = roundtrip(spec, run, opened[0].uid, {"decision": "approve", "comment": "同意"})
    assert [t.instance_index for t in run.open_user_tasks()] == [2]
    run = roundtrip(spec, run, opened[2].uid, {"decision": "reject"})
    assert run.data()["decisions"] == ["approve", "approve", "reject"]
    assert run.data()["signers"] == ["张三", "李四", "王五"]
    assert run.finished and run.outcome() == "rejected"


def test_countersign_all_approve() -> None:
    spec = compiled_spec("countersign.bpmn")
    run = ProcessRun.start(spec, data={"signers": ["甲", "乙", "丙"]})
    for task in run.open_user_tasks():
        run = ProcessRun.restore(spec, stored(run))
        run.complete(task.uid, data={"decision": "approve"})
    assert run.outcome() == "approved"
    assert run.data()["decisions"] == ["approve"] * 3


def test_timers_wait_for_the_clock_and_escalate_in_working_days() -> None:
    spec = compiled_spec("timers.bpmn")
    run = ProcessRun.start(spec, data={}, now=T0)
    assert set(open_by_element(run)) == {"review"}
    assert run.next_timer_at() == T0 + timedelta(hours=2)

    run = ProcessRun.restore(spec, stored(run))
    assert texts(run.advance(now=T0 + timedelta(hours=1), context={})) == []
    assert set(open_by_element(run)) == {"review"}

    # non-interrupting reminder: a supervisor task in parallel, review stays open
    events = texts(run.advance(now=T0 + timedelta(hours=2, seconds=1), context={}))
    assert "timer_fired:remind" in events
    assert set(open_by_element(run)) == {"review", "supervise"}

    # interrupting escalation after 3 working days by the caller's calendar
    holidays = {date(2026, 3, 4)}

    def add_working_days(day: date, n: int) -> date:
        while n:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in holidays:
                n -= 1
        return day

    run = ProcessRun.restore(spec, stored(run))
    due = run.next_timer_at()
    assert due == datetime(2026, 3, 5, 9, 0, tzinfo=UTC)  # weekdays only by default
    events = texts(
        run.advance(
            now=datetime(2026, 3, 5, 10, 0, tzinfo=UTC),
            context={"add_working_days": add_working_days},
        )
    )
    assert "timer_fired:escalate" in events
    assert set(open_by_element(run)) == {"supervise", "escalated"}  # review was interrupted
    run.complete(_only(run, "escalated"), data={"decision": "approve"})
    assert not run.finished  # the reminder branch is still open
    run.complete(_only(run, "supervise"), data={})
    assert run.finished and run.outcome() == "approved"


def test_working_day_timer_uses_the_callers_calendar() -> None:
    spec = compiled_spec("timers.bpmn")

    def add_working_days(day: date, n: int) -> date:
        return day + timedelta(days=10 * n)

    run = ProcessRun.start(spec, data={}, now=T0, context={"add_working_days": add_working_days})
    timers = sorted(
        t.internal_data["event_value"]
        for t in run.workflow.get_tasks()
        if "event_value" in t.internal_data
    )
    assert timers[-1].startswith("2026-04-01T09:00")


def test_timer_fires_only_in_advance_not_in_complete() -> None:
    spec = compiled_spec("timers.bpmn")
    run = ProcessRun.start(spec, data={}, now=T0)
    late = T0 + timedelta(days=30)
    run.complete(_only(run, "review"), data={"decision": "approve"}, now=late)
    assert run.finished and run.outcome() == "approved"


def test_supplement_loops_back_to_applicant_then_clerk(roundtrip) -> None:
    spec = compiled_spec_default()
    run = ProcessRun.start(spec, data={"name": "李雷"})
    run = roundtrip(
        spec, run, _only(run, "accept"), {"decision": "supplement", "comment": "缺照片"}
    )
    task = run.open_user_tasks()[0]
    assert (task.element_id, task.candidate_groups) == ("supplement", ("applicant",))
    run = roundtrip(spec, run, task.uid, {"photo": "materials/1.jpg"})
    run = roundtrip(spec, run, _only(run, "accept"), {"decision": "approve"})
    run = roundtrip(spec, run, _only(run, "approve"), {"decision": "supplement"})
    run = roundtrip(spec, run, _only(run, "supplement"), {})
    run = roundtrip(spec, run, _only(run, "accept"), {"decision": "approve"})
    run = roundtrip(spec, run, _only(run, "approve"), {"decision": "approve"})
    run = roundtrip(spec, run, _only(run, "conclude"), {"decision": "approve"})
    assert run.outcome() == "approved"
    assert run.data()["photo"] == "materials/1.jpg"


def compiled_spec_default() -> dict:
    from onewindow.workflow import compile_process

    result = compile_process(default_process(owner_group="gz-gaj"))
    assert result.problems == []
    return result.spec


def test_default_process_reject() -> None:
    spec = compiled_spec_default()
    run = ProcessRun.start(spec, data={})
    run.complete(_only(run, "accept"), data={"decision": "approve"})
    run.complete(_only(run, "approve"), data={"decision": "reject"})
    assert run.finished and run.outcome() == "rejected"


def test_withdrawal_cancels_open_tasks() -> None:
    spec = compiled_spec("parallel_departments.bpmn")
    run = ProcessRun.start(spec, data={})
    run.complete(_only(run, "accept"), data={"decision": "approve"})
    run = ProcessRun.restore(spec, stored(run))
    run.cancel()
    assert run.finished and run.outcome() == "withdrawn"
    run = ProcessRun.restore(spec, stored(run))
    assert run.open_user_tasks() == [] and run.outcome() == "withdrawn"
    with pytest.raises(RunFinished):
        run.cancel()


def test_call_activity_runs_the_called_process(roundtrip) -> None:
    from .conftest import bpmn

    spec = compiled_spec("call_main.bpmn", called={"call_birth.bpmn": bpmn("call_birth.bpmn")})
    run = ProcessRun.start(spec, data={"child": "小明"})
    run = roundtrip(spec, run, _only(run, "register"), {"decision": "approve"})
    task = run.open_user_tasks()[0]
    assert (task.element_id, task.candidate_groups) == ("birth_review", ("gz-wjw:approver",))
    run = roundtrip(spec, run, task.uid, {"decision": "approve", "birth_no": "B1"})
    assert run.finished and run.outcome() == "approved"
    assert run.data()["birth_no"] == "B1" and run.data()["child"] == "小明"


def test_service_tasks_run_only_in_advance_with_a_stable_key(monkeypatch) -> None:
    from onewindow.workflow import actions

    # The engine alone (no database): a look-up that records its calls instead of the exchange.
    calls: list[ActionContext] = []

    def lookup(ctx: ActionContext) -> dict[str, Any]:
        calls.append(ctx)
        resource = ctx.params.get("resource", "")
        return {"exchange": {"resource": resource, "found": True, "reference": "EX0000000001"}}

    monkeypatch.setitem(actions._REGISTRY, "exchange.lookup", lookup)
    spec = compiled_spec("services.bpmn")
    run = ProcessRun.start(spec, data={"applicant_id": "P-1"})
    assert run.open_user_tasks() == [] and calls == []
    events = texts(run.advance(now=T0, context={"case_id": "C1"}))
    assert events == ["action_done:lookup"]
    call = calls[0]
    assert call.params == {"resource": "gz-gaj.household-registration", "person": "P-1"}
    assert call.key.startswith("C1:lookup:")
    assert run.data()["exchange"]["found"] is True
    run.complete(_only(run, "review"), data={"decision": "approve"})
    assert not run.finished and len(calls) == 1  # complete() never calls actions
    run = ProcessRun.restore(spec, stored(run))
    assert texts(run.advance(now=T0, context={"case_id": "C1"})) == [
        "action_done:pay",
        "finished:approved",
    ]
    assert run.data()["payment"]["amount"] == "15.00"


def test_failing_action_stays_and_is_retried_with_the_same_key(action_registry) -> None:
    spec = compiled_spec("services.bpmn")
    keys: list[str] = []

    def flaky(ctx: ActionContext) -> dict:
        keys.append(ctx.key)
        if len(keys) == 1:
            raise ConnectionError("exchange unavailable")
        return {"exchange": {"found": True}}

    register_action("exchange.lookup", flaky)
    run = ProcessRun.start(spec, data={"applicant_id": "P-1"})
    assert texts(run.advance(now=T0, context={"case_id": "C9"})) == ["action_failed:lookup"]
    assert run.open_user_tasks() == []
    run = ProcessRun.restore(spec, stored(run))
    assert texts(run.advance(now=T0, context={"case_id": "C9"})) == ["action_done:lookup"]
    assert keys[0] == keys[1]
    assert set(open_by_element(run)) == {"review"}


def test_forged_and_repeated_completions_are_refused() -> None:
    spec = compiled_spec_default()
    run = ProcessRun.start(spec, data={})
    uid = _only(run, "accept")
    with pytest.raises(TaskNotFound):
        run.complete("not-a-uid", data={})
    with pytest.raises(TaskNotFound):
        run.complete("00000000-0000-0000-0000-000000000000", data={})
    run.complete(uid, data={"decision": "approve"})
    with pytest.raises((TaskNotOpen, TaskNotFound)):
        run.complete(uid, data={"decision": "approve"})


def test_condition_on_a_missing_variable_is_an_engine_error() -> None:
    from onewindow.workflow import EngineError

    spec = compiled_spec("form_gateway.bpmn")
    with pytest.raises(EngineError) as caught:
        ProcessRun.start(spec, data={"income": 100})
    assert "household_size" in str(caught.value.message)
