"""Engine steps as a state on the case: a failed action is retried with a back-off, a case
whose step keeps failing (or whose process cannot continue) is stuck and its supervisors are
told, a step lost with its worker is queued again, and the supervisors of the case's
departments retry or conclude a stuck case from 停滞办件 (others get 404)."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from django.db import connection
from django.test import Client, TestCase
from django.urls import reverse

from onewindow.audit.models import AuditEvent
from onewindow.cases import services
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.services import steps
from onewindow.cases.signals import CaseNews, case_news
from onewindow.catalog.models import ServiceVersion
from onewindow.identity.models import Person
from onewindow.testing.cases import _NS, ANSWERS, definition, publish
from onewindow.testing.clients import staff_client
from onewindow.testing.factories import user_of
from onewindow.testing.steps import ACTION, CODE, STEP_BPMN, Script
from onewindow.workflow import register_action

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 2, 2, 0, tzinfo=datetime.UTC)  # a Monday, 10:00 in Guangzhou
SECOND = datetime.timedelta(seconds=1)

# After 资格核验, a gateway tests a variable no form or step provides: the process cannot go on.
BROKEN_GATEWAY_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {_NS}>
  <bpmn:process id="broken_process" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="check" name="资格核验" camunda:type="external" camunda:topic="{ACTION}">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:exclusiveGateway id="gw" default="f_no">
      <bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="sign" name="签发" camunda:candidateGroups="gz-jyj:approver">
      <bpmn:incoming>f_yes</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="approved">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f_no</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="gw"/>
    <bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="sign">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">household_income &lt; 3000
      </bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="approved"/>
    <bpmn:sequenceFlow id="f3" sourceRef="sign" targetRef="approved"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def script() -> Iterator[Script]:
    script = Script()
    register_action(ACTION, script)
    yield script
    register_action(ACTION, lambda ctx: {"checked": True})


@pytest.fixture
def version(city: None, tmp_path: Path, script: Script) -> ServiceVersion:
    return publish(tmp_path, service=definition(code=CODE, materials=[]), bpmn=STEP_BPMN)


@pytest.fixture
def news() -> Iterator[list[CaseNews]]:
    received: list[CaseNews] = []

    def receive(sender: Any, news: CaseNews, **kwargs: Any) -> None:
        received.append(news)

    case_news.connect(receive, weak=False)
    yield received
    case_news.disconnect(receive)


def submit(resident: Person, *, at: datetime.datetime, run: bool = True, key: str = "k") -> Case:
    """Apply at ``at``; ``run``: the worker takes the step at once (the Celery task runs
    eagerly on commit). Without it the message is lost: the step is owed and nobody runs it."""
    with time_machine.travel(at, tick=False):
        if run:
            with TestCase.captureOnCommitCallbacks(execute=True):
                case, _created = services.case_create_and_submit(
                    user=user_of(resident),
                    service_code=CODE,
                    form_data=ANSWERS,
                    idempotency_key=key,
                )
        else:
            case, _created = services.case_create_and_submit(
                user=user_of(resident), service_code=CODE, form_data=ANSWERS, idempotency_key=key
            )
    return Case.objects.get(pk=case.pk)


def sweep(at: datetime.datetime) -> dict[str, int]:
    """The beat job at ``at``; the steps it queues run at once (eager Celery)."""
    with time_machine.travel(at, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        return services.cases_steps_sweep()


def open_steps(case: Case) -> list[str]:
    return sorted(
        case.tasks.filter(status__in=["open", "claimed", "waiting"]).values_list(
            "element_id", flat=True
        )
    )


def advance_audits(case: Case) -> list[dict[str, Any]]:
    rows = AuditEvent.objects.filter(
        action="cases.case.advance", target_type="cases.case", target_id=str(case.pk)
    ).order_by("seq")
    return [row.changes for row in rows]


def make_stuck(resident: Person, script: Script, monkeypatch: Any) -> Case:
    """A case stuck after its action failed (one attempt allowed here, to keep it short)."""
    script.failures = 1
    monkeypatch.setattr(steps, "MAX_ATTEMPTS", 1)
    case = submit(resident, at=T0)
    assert case.stuck_at == T0
    monkeypatch.undo()
    return case


# --- retries ------------------------------------------------------------------------------


def test_a_failed_action_is_retried_with_a_back_off_and_succeeds_later(
    version: ServiceVersion, resident: Person, script: Script
) -> None:
    script.failures = 1
    case = submit(resident, at=T0)
    # The action failed: the case waits at it, the step still owed, due again in 30 s.
    assert open_steps(case) == ["review"]
    assert case.step_attempts == 1 and case.step_claimed_at is None
    assert case.step_due_at == T0 + datetime.timedelta(seconds=30)
    assert "资格核验" in case.step_error and "资格库暂时无法连接" in case.step_error
    assert case.stuck_at is None

    assert sweep(T0 + 10 * SECOND) == {"queued": 0, "lost": 0}  # not due yet
    assert len(script.calls) == 1
    assert sweep(T0 + 31 * SECOND) == {"queued": 1, "lost": 0}
    case.refresh_from_db()
    assert open_steps(case) == ["review", "sign"]
    assert (case.step_due_at, case.step_attempts, case.step_error) == (None, 0, "")
    assert len(script.calls) == 2 and script.calls[0].key == script.calls[1].key
    assert [row["events"] for row in advance_audits(case)] == [
        ["action_failed:check"],
        ["action_done:check"],
    ]
    assert sweep(T0 + datetime.timedelta(hours=1)) == {"queued": 0, "lost": 0}
    assert case.tasks.filter(element_id="sign").count() == 1


def test_after_eight_failures_the_case_is_stuck_and_its_supervisors_are_told(
    version: ServiceVersion, resident: Person, script: Script, news: list[CaseNews]
) -> None:
    script.failures = 100
    case = submit(resident, at=T0)
    waits = [case.step_due_at - T0] if case.step_due_at else []
    while case.step_due_at is not None:
        at = case.step_due_at + SECOND
        assert sweep(at)["queued"] == 1
        case.refresh_from_db()
        if case.step_due_at is not None:
            waits.append(case.step_due_at - at)
    # 30 s after the first failure, then 1, 2, 4, 8, 16 and 30 (the cap) minutes
    assert [wait.total_seconds() for wait in waits] == [30, 60, 120, 240, 480, 960, 1800]
    assert case.step_attempts == steps.MAX_ATTEMPTS == 8 and len(script.calls) == 8
    assert case.stuck_at is not None and case.step_due_at is None
    assert "已连续 8 次执行失败" in case.step_error
    assert open_steps(case) == ["review"]
    stuck = case.events.get(kind="stuck")
    assert stuck.public is False and "资格库暂时无法连接" in stuck.message
    assert stuck.data["department"] == "gz-rsj" and stuck.data["attempts"] == 8
    told = [item for item in news if item.kind == "stuck"]
    assert len(told) == 1 and told[0].case_number == case.number
    assert told[0].event_id == stuck.pk
    # Nothing runs on its own any more.
    assert sweep(T0 + datetime.timedelta(days=1)) == {"queued": 0, "lost": 0}
    assert services.case_advance(case_id=case.pk) == []
    assert len(script.calls) == 8


def test_a_process_that_cannot_continue_is_stuck_at_once(
    city: None, tmp_path: Path, resident: Person, script: Script, news: list[CaseNews]
) -> None:
    publish(tmp_path, service=definition(code=CODE, materials=[]), bpmn=BROKEN_GATEWAY_BPMN)
    case = submit(resident, at=T0)
    assert case.stuck_at == T0 and case.step_due_at is None
    assert case.step_error.startswith("流程无法继续：")
    assert "household_income" in case.step_error
    assert open_steps(case) == []  # nothing of the failed step was kept
    assert case.status == Case.Status.IN_PROGRESS
    assert [item.kind for item in news if item.kind == "stuck"] == ["stuck"]
    assert AuditEvent.objects.filter(action="cases.case.stuck", target_id=str(case.pk)).exists()


def test_a_payment_the_applicant_has_not_made_yet_is_waited_for_not_retried(
    city: None, tmp_path: Path, resident: Person
) -> None:
    awaiting = STEP_BPMN.replace(f'camunda:topic="{ACTION}"', 'camunda:topic="payments.await"')
    publish(tmp_path, service=definition(code=CODE, materials=[]), bpmn=awaiting)
    case = submit(resident, at=T0)
    assert [row["events"] for row in advance_audits(case)] == [["action_failed:check"]]
    assert (case.step_due_at, case.step_attempts, case.stuck_at) == (None, 0, None)


# --- lost steps -----------------------------------------------------------------------------


def test_a_step_whose_message_was_lost_is_sent_again(
    version: ServiceVersion, resident: Person, script: Script
) -> None:
    case = submit(resident, at=T0, run=False)
    assert case.step_due_at == T0 and open_steps(case) == ["review"]
    assert sweep(T0 + 30 * SECOND) == {"queued": 1, "lost": 0}
    case.refresh_from_db()
    assert open_steps(case) == ["review", "sign"] and case.step_due_at is None


def test_the_sweep_queues_again_a_step_claimed_long_ago(
    version: ServiceVersion, resident: Person, script: Script
) -> None:
    case = submit(resident, at=T0, run=False)
    # A worker took the step and died before it finished.
    claim = steps.step_claim(case_id=case.pk, now=T0 + SECOND)
    assert claim == T0 + SECOND
    # While the claim is recent the worker may still be running it.
    assert sweep(T0 + datetime.timedelta(minutes=2)) == {"queued": 0, "lost": 0}
    assert script.calls == []
    assert sweep(T0 + datetime.timedelta(minutes=6)) == {"queued": 1, "lost": 1}
    case.refresh_from_db()
    assert open_steps(case) == ["review", "sign"]
    assert (case.step_due_at, case.step_claimed_at, case.step_attempts) == (None, None, 0)
    assert len(script.calls) == 1
    assert [row["events"] for row in advance_audits(case)] == [["action_done:check"]]


def test_a_second_message_for_a_step_a_worker_holds_runs_nothing(
    version: ServiceVersion, resident: Person, script: Script
) -> None:
    case = submit(resident, at=T0, run=False)
    assert steps.step_claim(case_id=case.pk, now=T0) == T0
    assert services.case_advance(case_id=case.pk, now=T0 + SECOND, step=True) == []
    assert script.calls == []
    case.refresh_from_db()
    assert case.step_claimed_at == T0 and open_steps(case) == ["review"]


def test_a_message_sent_before_a_failure_does_not_run_the_retry_early(
    version: ServiceVersion, resident: Person, script: Script
) -> None:
    """A backlog delivers the submission's message twice: the second copy arrives after the
    first failed, and the back-off stands."""
    script.failures = 2
    case = submit(resident, at=T0, run=False)
    assert services.case_advance(case_id=case.pk, now=T0, step=True, due=T0) == [
        "action_failed:check"
    ]
    late_copy = services.case_advance(case_id=case.pk, now=T0 + 5 * SECOND, step=True, due=T0)
    assert late_copy == [] and len(script.calls) == 1
    case.refresh_from_db()
    assert case.step_attempts == 1 and case.step_due_at == T0 + 30 * SECOND
    assert sweep(T0 + 31 * SECOND)["queued"] == 1 and len(script.calls) == 2


def test_the_sweep_reads_the_cases_through_the_step_due_at_index(db: Any) -> None:
    query = steps.steps_due(now=T0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    else:
        plan = query.explain()
    assert "cases_case_step_due_at" in plan, plan


# --- supervisors ----------------------------------------------------------------------------


def test_stuck_cases_are_listed_for_the_supervisors_of_their_departments(
    version: ServiceVersion, resident: Person, script: Script, monkeypatch: Any, staff: Any
) -> None:
    case = make_stuck(resident, script, monkeypatch)
    # gz-rsj owns the service, gz-gaj holds its open 审核; gz-jyj has nothing open yet.
    for username, sees in (("rsj_head", True), ("gaj_head", True), ("jyj_head", False)):
        page = staff_client(staff(username)).get(reverse("cases:stuck_cases"))
        assert page.status_code == 200
        body = page.content.decode()
        assert (str(case.number) in body) is sees, username
        if sees:
            assert "资格库暂时无法连接" in body and "审核" in body
            # ...and open the case from there.
            link = reverse("cases:staff_case", args=[case.number])
            assert f'href="{link}"' in body
            assert staff_client(staff(username)).get(link).status_code == 200, username
    # Staff without the permission do not reach the page at all.
    assert staff_client(staff("rsj_clerk")).get(reverse("cases:stuck_cases")).status_code == 403


def test_a_supervisor_retries_a_stuck_case_and_it_advances(
    version: ServiceVersion, resident: Person, script: Script, monkeypatch: Any, staff: Any
) -> None:
    case = make_stuck(resident, script, monkeypatch)
    client = staff_client(staff("rsj_head"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("cases:stuck_cases"), {"case": case.number, "action": "retry"}
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stuck_at is None and case.step_attempts == 0 and case.step_error == ""
    assert open_steps(case) == ["review", "sign"]
    assert case.service_version_id == version.pk
    retried = case.events.get(kind="step_retried")
    assert retried.public is False and retried.actor_id == staff("rsj_head").pk
    audit = AuditEvent.objects.get(action="cases.case.retry", target_id=str(case.pk))
    assert audit.actor_id == staff("rsj_head").pk and audit.outcome == "ok"
    assert "资格库暂时无法连接" in audit.changes["error"]
    page = client.get(reverse("cases:stuck_cases")).content.decode()
    assert 'data-testid="stuck-case"' not in page and "没有停滞的办件" in page


def test_a_retry_moves_the_case_to_a_newer_version_only_when_its_state_restores(
    version: ServiceVersion,
    resident: Person,
    script: Script,
    monkeypatch: Any,
    staff: Any,
    tmp_path: Path,
) -> None:
    case = make_stuck(resident, script, monkeypatch)
    client = staff_client(staff("rsj_head"))
    url = reverse("cases:stuck_cases")
    # No newer version yet.
    assert "按第" not in client.get(url).content.decode()
    refused = client.post(url, {"case": case.number, "action": "retry_current"})
    assert refused.status_code == 409
    # A newer version whose process no longer has the step the case waits at: refused.
    renamed = STEP_BPMN.replace('"check"', '"verify"').replace('"to_sign" sourceRef="check"', "")
    renamed = renamed.replace('targetRef="check"', 'targetRef="verify"').replace(
        'sourceRef="check"', 'sourceRef="verify"'
    )
    other = publish(tmp_path / "v2", service=definition(code=CODE, materials=[]), bpmn=renamed)
    assert other.number == 2
    assert "按第 2 版流程重新执行" not in client.get(url).content.decode()
    assert client.post(url, {"case": case.number, "action": "retry_current"}).status_code == 409
    case.refresh_from_db()
    assert case.stuck_at is not None and case.service_version_id == version.pk
    # A newer version the state restores under (the same steps, a new name).
    fitting = STEP_BPMN.replace('name="签发"', 'name="签发（新版）"')
    newer = publish(tmp_path / "v3", service=definition(code=CODE, materials=[]), bpmn=fitting)
    assert newer.number == 3
    assert "按第 3 版流程重新执行" in client.get(url).content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        moved = client.post(url, {"case": case.number, "action": "retry_current"})
    assert moved.status_code == 302
    case.refresh_from_db()
    assert case.service_version_id == newer.pk and case.stuck_at is None
    assert case.tasks.get(element_id="sign").name == "签发（新版）"
    audit = AuditEvent.objects.get(action="cases.case.retry_current", target_id=str(case.pk))
    assert audit.changes["version"] == {"from": 1, "to": 3}


def test_a_supervisor_concludes_a_stuck_case_with_a_reason(
    version: ServiceVersion,
    resident: Person,
    script: Script,
    monkeypatch: Any,
    staff: Any,
    news: list[CaseNews],
) -> None:
    case = make_stuck(resident, script, monkeypatch)
    client = staff_client(staff("gaj_head"))  # holds the open 审核
    url = reverse("cases:stuck_cases")
    empty = client.post(url, {"case": case.number, "action": "conclude", "reason": "  "})
    assert empty.status_code == 422 and "请写明办结理由" in empty.content.decode()
    reason = "资格核验系统已停用，本事项改为窗口办理，请携带材料到窗口申请。"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, {"case": case.number, "action": "conclude", "reason": reason})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED and case.outcome_note == reason
    assert case.concluded_at is not None and case.stuck_at is None
    assert list(case.tasks.values_list("element_id", "status")) == [
        ("review", CaseTask.Status.CANCELLED)
    ]
    concluded = case.events.get(kind="concluded")
    assert concluded.public is True and concluded.data["reason"] == reason
    assert [item.kind for item in news if item.kind == "concluded"] == ["concluded"]
    audit = AuditEvent.objects.get(action="cases.case.conclude_stuck", target_id=str(case.pk))
    assert audit.actor_id == staff("gaj_head").pk and audit.changes["reason"] == reason
    # The applicant reads the reason on the case page.
    applicant = Client()
    assert resident.user is not None
    applicant.force_login(resident.user)
    page = applicant.get(reverse("cases:case_detail", kwargs={"number": case.number}))
    assert reason in page.content.decode()
    # Done once: the service's department finds nothing stuck any more (gz-gaj, whose task
    # was cancelled, no longer reaches the case at all).
    again = {"case": case.number, "action": "conclude", "reason": reason}
    assert staff_client(staff("rsj_head")).post(url, again).status_code == 409
    assert client.post(url, again).status_code == 404


def test_staff_of_another_department_get_404_and_their_attempt_is_audited(
    version: ServiceVersion, resident: Person, script: Script, monkeypatch: Any, staff: Any
) -> None:
    case = make_stuck(resident, script, monkeypatch)
    client = staff_client(staff("jyj_head"))
    url = reverse("cases:stuck_cases")
    for data in (
        {"case": case.number, "action": "retry"},
        {"case": case.number, "action": "conclude", "reason": "不予办理"},
        {"case": "NO-SUCH-CASE", "action": "retry"},
    ):
        assert client.post(url, data).status_code == 404
    case.refresh_from_db()
    assert case.stuck_at is not None and case.status == Case.Status.IN_PROGRESS
    refusals = AuditEvent.objects.filter(actor_id=staff("jyj_head").pk, outcome="denied")
    assert sorted(refusals.values_list("action", "target_id")) == [
        ("cases.case.conclude_stuck", str(case.pk)),
        ("cases.case.retry", ""),
        ("cases.case.retry", str(case.pk)),
    ]
    assert not case.events.filter(kind__in=["step_retried", "concluded"]).exists()


# --- a real worker, killed in the middle of a step --------------------------------------------

WORKER_DEADLINE = 90.0  # seconds: a worker starting on this 2-core machine, a step running


def wait_for(what: str, predicate: Any, *, log: Path | None = None) -> Any:
    """Poll ``predicate`` (every 0.1 s, at most WORKER_DEADLINE) until it returns a truthy
    value; fail with the worker's log otherwise."""
    deadline = time.monotonic() + WORKER_DEADLINE
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log is not None and log.exists() else ""
    pytest.fail(f"timed out waiting for {what}\n{tail}")


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = quote(str(settings.get("USER") or ""))
    password = quote(str(settings.get("PASSWORD") or ""))
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings['NAME']}"


@dataclass
class Workers:
    """Celery worker processes on the project's app, sharing the test's database and a
    broker on kombu's SQLAlchemy transport over a temporary SQLite file."""

    folder: Path
    broker: str
    started: list[tuple[subprocess.Popen[bytes], Path]] = field(default_factory=list)

    def start(self, name: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = self.folder / f"{name}.log"
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"CELERY_TASK_ALWAYS_EAGER", "REDIS_URL", "PYTEST_CURRENT_TEST"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="onewindow.config.base",
            ONEWINDOW_ENV="development",
            DEBUG="0",
            DATABASE_URL=_database_url(),
            CELERY_BROKER_URL=self.broker,
            ONEWINDOW_VAR_DIR=str(self.folder / "var"),
            ONEWINDOW_TEST_STEP_DIR=str(self.folder),
        )
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "onewindow.cases.tests.worker_app",
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            f"--hostname={name}@%h",
        ]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=self.folder, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self.started.append((process, log))
        wait_for(f"{name} to be ready", lambda: b" ready." in log.read_bytes(), log=log)
        return process, log

    def stop_all(self) -> None:
        for process, _log in self.started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    """The test process sends through the same broker as the workers (not eagerly)."""
    from onewindow.config.celery import app

    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        pytest.skip(
            "a worker process needs the test database too, and SQLite's test database is in "
            "memory here (settings: TEST NAME None); run with DATABASE_URL=postgres://…"
        )
    broker = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    (tmp_path / "var").mkdir()
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = broker, False
    # Connections and producers for this broker (an earlier test may have made them for the
    # default one: eager tasks still set up the app's producer pool).
    app._pool = app.amqp._producer_pool = None
    running = Workers(folder=tmp_path, broker=broker)
    try:
        yield running
    finally:
        running.stop_all()
        app.conf.broker_url, app.conf.task_always_eager = saved
        app._pool = app.amqp._producer_pool = None


def _queued_messages(broker: str) -> int:
    from onewindow.config.celery import app

    with app.connection_for_write(broker) as conn:
        return int(conn.default_channel.queue_declare("celery", passive=True).message_count)


@pytest.mark.django_db(transaction=True)
def test_a_step_lost_with_its_killed_worker_runs_exactly_once_after_the_sweep(
    city: None, tmp_path: Path, resident: Person, script: Script, workers: Workers
) -> None:
    publish(tmp_path / "package", service=definition(code=CODE, materials=[]), bpmn=STEP_BPMN)
    first, first_log = workers.start("first")
    case, _created = services.case_create_and_submit(
        user=user_of(resident), service_code=CODE, form_data=ANSWERS, idempotency_key="kill"
    )
    # The first worker took the step and is inside the action: kill it there.
    wait_for("the step to start", lambda: list(tmp_path.glob("started-*")), log=first_log)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    case.refresh_from_db()
    assert case.step_claimed_at is not None and case.step_due_at is not None
    assert open_steps(case) == ["review"] and advance_audits(case) == []
    assert _queued_messages(workers.broker) == 0  # the broker will not give it back
    claimed = case.step_claimed_at

    (tmp_path / "release").write_text("go")
    workers.start("second")
    # Some minutes later the sweep finds the claim stale and queues the step again.
    # (the workers run on the wall clock, this process maybe on a frozen one: past both)
    due = max(claimed + steps.claim_timeout(), case.step_due_at)
    later = due + datetime.timedelta(minutes=1)
    assert services.cases_steps_sweep(now=later) == {"queued": 1, "lost": 1}

    def advanced() -> bool:
        case.refresh_from_db()
        return case.step_due_at is None

    wait_for("the second worker to run the step", advanced, log=workers.started[-1][1])
    assert open_steps(case) == ["review", "sign"]
    assert case.step_claimed_at is None and case.step_attempts == 0 and case.stuck_at is None
    assert [row["events"] for row in advance_audits(case)] == [["action_done:check"]]
    assert case.tasks.filter(element_id="sign").count() == 1
    assert case.events.filter(kind="task_opened", task__element_id="sign").count() == 1
    # Nothing else is owed or waiting: the step ran once.
    assert services.cases_steps_sweep(now=later + datetime.timedelta(minutes=10))["queued"] == 0
    assert _queued_messages(workers.broker) == 0
    assert len(list(tmp_path.glob("started-*"))) == 2  # the killed attempt and the one run


@pytest.mark.parametrize(
    ("broker", "options"),
    [
        ("redis://127.0.0.1:6379/0", {"visibility_timeout": 900}),
        ("sqla+sqlite:///broker.sqlite3", None),  # create_engine would refuse the option
    ],
)
def test_the_brokers_visibility_timeout_covers_the_claim_bound_and_countdowns(
    tmp_path: Path, broker: str, options: Any
) -> None:
    env = {**os.environ, "CELERY_BROKER_URL": broker, "ONEWINDOW_VAR_DIR": str(tmp_path)}
    env.pop("REDIS_URL", None)
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import onewindow.config.base as s; print("
            "getattr(s, 'CELERY_BROKER_TRANSPORT_OPTIONS', None), s.CASES_STEP_CLAIM_TIMEOUT)",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert shown[-1] == "300"
    assert " ".join(shown[:-1]) == str(options)
