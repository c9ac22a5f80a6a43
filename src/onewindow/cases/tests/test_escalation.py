"""Escalation as a state: a fired timer boundary event marks the task it is attached to (and
the tasks its path opened) as escalated, with the time; the inbox's 只看超期和督办 filter, the
staff pages, the API and a department head's supervision overview show it."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import TestCase

from onewindow.cases import services
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.selectors import inbox_for, supervision_overview
from onewindow.cases.signals import CaseNews, case_news
from onewindow.core.calendar import working_days_between
from onewindow.testing.applying import apply
from onewindow.testing.cases import _NS, TIMER_BPMN, definition, publish
from onewindow.testing.clients import staff_client
from onewindow.testing.escalation import (
    CODE,
    FIRED,
    FIRED_LOCAL,
    NON_INTERRUPTING_BPMN,
    START,
    supervisor,
)
from onewindow.workflow import compile_process

pytestmark = pytest.mark.django_db

# A timer that is a planned wait (an intermediate catch event), not a deadline.
WAIT_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {_NS}>
  <bpmn:process id="wait_process" name="公示" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="publicity" name="公示期">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition>
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P2D</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="check" name="材料核查" camunda:candidateGroups="rsj_approver">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="approved"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="publicity"/>
    <bpmn:sequenceFlow id="f2" sourceRef="publicity" targetRef="check"/>
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="approved"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def news() -> Iterator[list[CaseNews]]:
    received: list[CaseNews] = []

    def receive(sender: Any, news: CaseNews, **kwargs: Any) -> None:
        received.append(news)

    case_news.connect(receive, weak=False)
    yield received
    case_news.disconnect(receive)


@pytest.fixture
def escalated(city: None, tmp_path: Any, resident: Any) -> tuple[Case, Case]:
    """Two cases of the service: the first applied on START and swept past its timer, the
    second applied just before the sweep (its timer still ahead)."""
    publish(tmp_path, service=definition(code=CODE), bpmn=NON_INTERRUPTING_BPMN)
    with time_machine.travel(START, tick=False):
        first = apply(resident.user, CODE)
    with time_machine.travel(FIRED - datetime.timedelta(hours=1), tick=False):
        second = apply(resident.user, CODE)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.cases_sla_sweep(now=FIRED)["advanced"] == 1
    return first, second


def test_the_compiled_spec_records_boundary_events() -> None:
    spec = compile_process(NON_INTERRUPTING_BPMN.encode()).spec
    assert spec["boundary_events"] == {"remind": {"attached_to": "check", "interrupting": False}}
    spec = compile_process(TIMER_BPMN.encode()).spec
    assert spec["boundary_events"] == {"sla": {"attached_to": "approve", "interrupting": True}}


def test_a_non_interrupting_timer_escalates_the_task_it_is_attached_to(
    city: None, tmp_path: Any, resident: Any, staff: Any, news: list[CaseNews]
) -> None:
    publish(tmp_path, service=definition(code=CODE), bpmn=NON_INTERRUPTING_BPMN)
    with time_machine.travel(START, tick=False):
        case = apply(resident.user, CODE)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.cases_sla_sweep(now=FIRED)["advanced"] == 1
    check = case.tasks.get(element_id="check")
    assert check.status == CaseTask.Status.OPEN  # the holder still has it
    assert (check.escalated, check.escalated_at) == (True, FIRED)
    rows = list(case.events.filter(kind="escalated"))
    assert [(row.task_id, row.public, row.at) for row in rows] == [(check.pk, False, FIRED)]
    assert rows[0].message == "材料核查：办理时限已到，已督办。"
    escalations = [n for n in news if n.kind == "escalated"]
    assert [(n.task_id, n.department_code, n.event_id) for n in escalations] == [
        (check.pk, "gz-rsj", rows[0].pk)
    ]
    # Queryable for the performance figures.
    assert CaseTask.objects.filter(escalated=True, escalated_at__date=FIRED.date()).count() == 1
    # Sweeping again changes nothing: no timer is left, the task stays escalated once.
    assert services.cases_sla_sweep(now=FIRED + datetime.timedelta(days=1))["advanced"] == 0
    assert case.events.filter(kind="escalated").count() == 1


def test_an_interrupting_timer_escalates_the_cancelled_task_and_the_one_it_opened(
    city: None, tmp_path: Any, resident: Any, staff: Any
) -> None:
    publish(tmp_path, service=definition(code="timer-test"), bpmn=TIMER_BPMN)
    with time_machine.travel(START, tick=False):
        case = apply(resident.user, "timer-test")
    services.case_advance(case_id=case.pk, now=FIRED)
    approve = case.tasks.get(element_id="approve")
    escalate = case.tasks.get(element_id="escalate")
    assert (approve.status, approve.escalated, approve.escalated_at) == (
        CaseTask.Status.CANCELLED,
        True,
        FIRED,
    )
    assert (escalate.status, escalate.escalated, escalate.escalated_at) == (
        CaseTask.Status.OPEN,
        True,
        FIRED,
    )
    assert sorted(case.events.filter(kind="escalated").values_list("task_id", flat=True)) == sorted(
        [approve.pk, escalate.pk]
    )


def test_a_waiting_timer_is_not_an_escalation(
    city: None, tmp_path: Any, resident: Any, staff: Any
) -> None:
    publish(tmp_path, service=definition(code="wait-test"), bpmn=WAIT_BPMN)
    with time_machine.travel(START, tick=False):
        case = apply(resident.user, "wait-test")
    assert services.case_advance(case_id=case.pk, now=FIRED) == ["timer_fired:publicity"]
    check = case.tasks.get(element_id="check")
    assert (check.status, check.escalated) == (CaseTask.Status.OPEN, False)
    assert not case.events.filter(kind="escalated").exists()


def test_the_escalated_task_is_in_the_overdue_inbox(escalated: tuple[Case, Case], staff) -> None:
    first, second = escalated
    approver = staff("rsj_approver")
    with time_machine.travel(FIRED, tick=False):
        late = inbox_for(user=approver, overdue=True)
        everything = inbox_for(user=approver)
    assert [(t.case_reference, t.escalated, t.escalated_at) for t in late] == [
        (first.number, True, FIRED)
    ]
    assert {t.case_reference for t in everything} == {first.number, second.number}


@pytest.mark.parametrize("value", ["1", "true", "on"])
def test_the_workbench_filter_accepts_what_links_and_checkboxes_send(
    escalated: tuple[Case, Case], staff, value: str
) -> None:
    first, second = escalated
    client = staff_client(staff("rsj_approver"))
    with time_machine.travel(FIRED, tick=False):
        body = client.get(f"/workbench/?overdue={value}").content.decode()
        unfiltered = client.get("/workbench/").content.decode()
    late, fresh = str(first.number), str(second.number)
    assert late in body and fresh not in body
    assert 'id="filter-overdue" name="overdue" value="1" checked' in body
    row = body[body.index(f'data-task="{first.tasks.get().pk}"') :]
    assert '<span class="badge error">已督办</span>' in row[: row.index("</tr>")]
    assert late in unfiltered and fresh in unfiltered


def test_staff_pages_show_the_escalation_with_its_time(escalated: tuple[Case, Case], staff) -> None:
    first, _second = escalated
    client = staff_client(staff("rsj_approver"))
    with time_machine.travel(FIRED, tick=False):
        case_page = client.get(f"/workbench/cases/{first.number}/").content.decode()
        task_page = client.get(f"/workbench/tasks/{first.tasks.get().pk}/").content.decode()
    banner = case_page[case_page.index('data-testid="case-escalated"') :]
    banner = banner[: banner.index("</p>")]
    assert "已督办" in banner and "材料核查" in banner and FIRED_LOCAL in banner
    fact = task_page[task_page.index('data-testid="task-escalated"') :]
    assert "已督办" in fact[: fact.index("</dd>")] and FIRED_LOCAL in fact[: fact.index("</dd>")]


def test_the_api_lists_escalation_and_filters_overdue(escalated: tuple[Case, Case], staff) -> None:
    first, second = escalated
    client = staff_client(staff("rsj_approver"))
    with time_machine.travel(FIRED, tick=False):
        late = client.get("/api/v1/tasks?overdue=on").json()
        everything = client.get("/api/v1/tasks").json()
    assert [(t["case"], t["escalated"], t["escalated_at"]) for t in late] == [
        (first.number, True, "2026-11-04T09:01:00Z")
    ]
    by_case = {t["case"]: t for t in everything}
    assert (by_case[second.number]["escalated"], by_case[second.number]["escalated_at"]) == (
        False,
        None,
    )


def test_a_department_head_sees_the_escalated_task_in_the_overview(
    escalated: tuple[Case, Case], staff
) -> None:
    first, second = escalated
    head = supervisor("gz-rsj", "rsj_head_test")
    with time_machine.travel(FIRED, tick=False):
        overview = supervision_overview(user=head)
        page = staff_client(head).get("/workbench/supervision/")
        workbench = staff_client(head).get("/workbench/").content.decode()
    rsj = next(d for d in overview.departments if d.code == "gz-rsj")
    assert (rsj.open, rsj.overdue, rsj.escalated) == (2, 0, 1)
    assert [(s.code, s.open, s.overdue, s.escalated) for s in overview.services] == [
        (CODE, 2, 0, 1)
    ]
    assert [
        (t.case_reference, t.step, t.holder, t.escalated_at, t.days_overdue) for t in overview.tasks
    ] == [(first.number, "材料核查", "待认领（审批人员）", FIRED, None)]
    assert page.status_code == 200
    body = page.content.decode()
    table = body[body.index('data-testid="supervised-tasks"') :]
    table = table[: table.index("</table>")]
    assert str(first.number) in table and str(second.number) not in table
    assert "已督办" in table and FIRED_LOCAL in table and "未超期" in table
    assert 'href="/workbench/supervision/"' in workbench


def test_the_overview_counts_overdue_days_and_covers_departments_below(
    escalated: tuple[Case, Case], staff
) -> None:
    first, second = escalated
    city_head = supervisor("gz", "city_head_test")
    other_head = supervisor("gz-gaj", "gaj_head_test")
    later = datetime.date(2026, 11, 20)
    due, second_due = first.tasks.get().due_date, second.tasks.get().due_date
    assert due is not None and second_due is not None and second_due < later
    with time_machine.travel(datetime.datetime(2026, 11, 20, 2, 0, tzinfo=datetime.UTC)):
        overview = supervision_overview(user=city_head)
        assert supervision_overview(user=other_head).tasks == []
    rsj = next(d for d in overview.departments if d.code == "gz-rsj")
    assert (rsj.open, rsj.overdue, rsj.escalated) == (2, 2, 1)
    # Escalated first, then by due date; how long each is overdue, in working days.
    assert [(t.case_reference, t.escalated, t.days_overdue) for t in overview.tasks] == [
        (first.number, True, working_days_between(due, later)),
        (second.number, False, working_days_between(second_due, later)),
    ]


def test_staff_without_the_permission_are_refused_the_overview(
    escalated: tuple[Case, Case], staff
) -> None:
    approver = staff_client(staff("rsj_approver"))
    assert approver.get("/workbench/supervision/").status_code == 403
    assert 'href="/workbench/supervision/"' not in approver.get("/workbench/").content.decode()


def test_a_department_head_opens_the_case_the_overview_links_to(
    escalated: tuple[Case, Case], staff
) -> None:
    first, _second = escalated
    head = staff_client(supervisor("gz-rsj", "rsj_head_test"))
    other = staff_client(supervisor("gz-gaj", "gaj_head_test"))
    with time_machine.travel(FIRED, tick=False):
        overview = head.get("/workbench/supervision/").content.decode()
        page = head.get(f"/workbench/cases/{first.number}/")
        refused = other.get(f"/workbench/cases/{first.number}/")
    assert f'href="/workbench/cases/{first.number}/"' in overview
    assert page.status_code == 200
    assert first.number is not None and first.number in page.content.decode()
    assert refused.status_code == 404
