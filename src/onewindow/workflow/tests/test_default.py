"""The default process does what the package declares: its look-ups before the clerk
accepts, its outcome licences after approval."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from onewindow.workflow import (
    DefaultIssue,
    DefaultLookup,
    ProcessRun,
    compile_process,
    default_process,
    register_action,
)
from onewindow.workflow.actions import ActionContext

from .conftest import open_by_element, stored, texts

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def calls(action_registry):
    seen: list[tuple[str, dict]] = []

    def lookup(ctx: ActionContext) -> dict:
        seen.append(("exchange.lookup", dict(ctx.params)))
        return {"exchange": {"resource": ctx.params["resource"], "found": True}}

    def issue(ctx: ActionContext) -> dict:
        seen.append(("licences.issue", dict(ctx.params)))
        return {"licence": {"licence_type": ctx.params["licence_type"], "status": "issued"}}

    register_action("exchange.lookup", lookup)
    register_action("licences.issue", issue)
    return seen


def _spec() -> dict:
    xml = default_process(
        owner_group="gz-wjw",
        lookups=[
            DefaultLookup(
                resource="gz-wjw.birth-records",
                name="出生医学证明信息",
                key="${birth_cert_number}",
            ),
            DefaultLookup(
                resource="gz-mzj.marital-status",
                name="夫妻双方婚姻登记信息",
                subject="applicant,spouse",
            ),
        ],
        issues=[DefaultIssue(licence_type="maternity-service-record", name="生育服务登记凭证")],
    )
    result = compile_process(xml)
    assert result.problems == []
    assert result.service_tasks == {
        "lookup_1": "exchange.lookup",
        "lookup_2": "exchange.lookup",
        "issue_1": "licences.issue",
    }
    return result.spec


def test_declared_lookups_run_before_the_clerk_and_the_licence_after_approval(calls) -> None:
    spec = _spec()
    run = ProcessRun.start(spec, data={"birth_cert_number": "Q440106001"})
    assert run.open_user_tasks() == []  # the look-ups come first (in a worker)
    assert texts(run.advance(now=T0, context={"case_id": 1})) == [
        "action_done:lookup_1",
        "action_done:lookup_2",
    ]
    assert calls == [
        (
            "exchange.lookup",
            {
                "resource": "gz-wjw.birth-records",
                "subject": "applicant",
                "key": "Q440106001",
            },
        ),
        ("exchange.lookup", {"resource": "gz-mzj.marital-status", "subject": "applicant,spouse"}),
    ]
    for element in ("accept", "approve"):
        (uid,) = open_by_element(run)[element]
        run.complete(uid, data={"decision": "approve"})
        run = ProcessRun.restore(spec, stored(run))
    assert open_by_element(run) == {}  # the licence is issued in the worker
    assert texts(run.advance(now=T0, context={"case_id": 1})) == ["action_done:issue_1"]
    assert calls[-1] == ("licences.issue", {"licence_type": "maternity-service-record"})
    (uid,) = open_by_element(run)["conclude"]
    run.complete(uid, data={"decision": "approve"})
    assert run.finished and run.outcome() == "approved"
    assert run.data()["licence"]["licence_type"] == "maternity-service-record"


def test_a_rejection_issues_nothing(calls) -> None:
    spec = _spec()
    run = ProcessRun.start(spec, data={"birth_cert_number": "Q440106001"})
    texts(run.advance(now=T0, context={"case_id": 1}))
    (uid,) = open_by_element(run)["accept"]
    run.complete(uid, data={"decision": "reject"})
    assert run.finished and run.outcome() == "rejected"
    assert [c for c in calls if c[0] == "licences.issue"] == []


def test_without_declarations_the_process_is_accept_approve_conclude() -> None:
    result = compile_process(default_process(owner_group="gz-gaj"))
    assert result.problems == [] and result.service_tasks == {}


def test_declarations_are_plain_text() -> None:
    with pytest.raises(ValueError):
        default_process(owner_group="gz-gaj", lookups=[DefaultLookup(resource="a<b", name="x")])
