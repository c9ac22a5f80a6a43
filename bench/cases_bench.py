"""Cases benchmark on PostgreSQL, one run:

(a) pgbench TPC-B TPS (the database's speed on this machine);
(b) a pgbench custom script with a one-row UPDATE (baseline for one task completion), and the
    SQL of one completion and of one submission as pgbench scripts (what the database alone
    needs for the same writes);
(c) case submissions per second for a 3-way parallel service, calling the submission service
    directly from several processes (validation, numbering, engine start, task rows, audit,
    and the Celery hand-off run eagerly after commit);
(d) task completions per second (accept, then the three parallel approvals);
(e) the cost of one step (complete + store) after 10 and after 300 completed tasks of a
    looping process.

Prints ratios against the targets: submissions ≥ 25 % of pgbench TPS; one completion ≤ 3×
the one-row UPDATE; step(300) ≤ 1.5 × step(10).

    .venv/bin/python bench/cases_bench.py [--quick] [--skip-pgbench] [--procs 4]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.run import DEFAULT_URL, SCRATCH_DB, ensure_database, pg_env, pgbench, psql  # noqa: E402

SERVICE = "bench-parallel"
LOOP_SERVICE = "bench-loop"

LOOP_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs"
  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="loop" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="审查" camunda:candidateGroups="gz-rsj:approver">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f_again</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="gw" default="f_done">
      <bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f_again</bpmn:outgoing><bpmn:outgoing>f_done</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="approved"><bpmn:incoming>f_done</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="gw"/>
    <bpmn:sequenceFlow id="f_again" sourceRef="gw" targetRef="review">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">comment == "again"
      </bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_done" sourceRef="gw" targetRef="approved"/>
  </bpmn:process>
</bpmn:definitions>
"""


# --- database baselines ---------------------------------------------------------------------


def pgbench_update(env: dict[str, str], *, clients: int, seconds: int) -> dict[str, float]:
    """A one-row UPDATE by primary key, as a pgbench custom script."""
    ensure_database(env, SCRATCH_DB, fresh=True)
    psql(
        env,
        "CREATE TABLE one_row (id int PRIMARY KEY, v int NOT NULL DEFAULT 0); "
        "INSERT INTO one_row (id) SELECT g FROM generate_series(1, 10000) g;",
        db=SCRATCH_DB,
    )
    out = _run_script(
        env,
        "\\set id random(1, 10000)\nUPDATE one_row SET v = v + 1 WHERE id = :id;\n",
        clients=clients,
        seconds=seconds,
    )
    psql(env, f'DROP DATABASE IF EXISTS "{SCRATCH_DB}"')
    return out


SHAPE_SETUP = """
CREATE TABLE shape_case (id int PRIMARY KEY, state text NOT NULL, v int NOT NULL DEFAULT 0);
CREATE TABLE shape_task (id bigserial PRIMARY KEY, case_id int NOT NULL, status text NOT NULL,
                         comment text NOT NULL DEFAULT '');
CREATE INDEX ON shape_task (case_id);
CREATE TABLE shape_event (id bigserial PRIMARY KEY, case_id int NOT NULL, body text NOT NULL);
CREATE TABLE shape_head (id int PRIMARY KEY, seq bigint NOT NULL, hash text NOT NULL);
CREATE TABLE shape_audit (seq bigint PRIMARY KEY, body text NOT NULL, hash text NOT NULL);
INSERT INTO shape_case SELECT g, repeat('s', 3400) FROM generate_series(1, 10000) g;
INSERT INTO shape_task (case_id, status) SELECT g, 'open' FROM generate_series(1, 10000) g;
INSERT INTO shape_head VALUES (1, 0, '');
CREATE TABLE shape_service (code text PRIMARY KEY, current_id int NOT NULL);
CREATE TABLE shape_person (user_id int PRIMARY KEY, name text NOT NULL, id_number text NOT NULL);
CREATE TABLE shape_counter (region text, day date, last int NOT NULL,
                            PRIMARY KEY (region, day));
CREATE SEQUENCE shape_case_seq START 20000;
INSERT INTO shape_service VALUES ('bench', 1);
INSERT INTO shape_person SELECT g, 'name', repeat('x', 40) FROM generate_series(1, 10000) g;
"""

# The statements one task completion sends (cases.services.tasks.task_complete with the parallel
# split: lock the case, read the task with the role check, complete it, read the open tasks,
# insert the new tasks and the timeline rows, store the process state, then the audit row
# under the chain head in two statements), as plain SQL in one transaction: what the database
# alone costs.
SHAPE_SCRIPT = """\\set id random(1, 10000)
BEGIN;
SELECT * FROM shape_case WHERE id = :id FOR UPDATE;
SELECT * FROM shape_task WHERE id = :id;
UPDATE shape_task SET status = 'completed', comment = 'ok' WHERE id = :id;
SELECT * FROM shape_task WHERE case_id = :id AND status = 'open';
INSERT INTO shape_task (case_id, status) VALUES (:id, 'x'), (:id, 'x'), (:id, 'x');
INSERT INTO shape_event (case_id, body) VALUES (:id, repeat('e', 300)), (:id, repeat('e', 300));
UPDATE shape_case SET state = repeat('t', 3400), v = v + 1 WHERE id = :id;
UPDATE shape_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash;
WITH e AS (INSERT INTO shape_audit SELECT seq, repeat('a', 300), md5(hash) FROM shape_head
           WHERE id = 1 RETURNING seq)
  UPDATE shape_head SET hash = md5(hash) WHERE id = 1 RETURNING (SELECT seq FROM e);
COMMIT;
"""

# The statements of one submission (cases.services.submission.case_create_and_submit on the
# same service: the version in force, the applicant, the case inserted with its process state,
# the first task, two timeline rows, the day's counter, then the audit row in two statements).
SUBMIT_SHAPE_SCRIPT = """\\set id random(1, 10000)
BEGIN;
SELECT current_id FROM shape_service WHERE code = 'bench';
SELECT * FROM shape_person WHERE user_id = :id;
INSERT INTO shape_counter VALUES ('440100', current_date, 1)
  ON CONFLICT (region, day) DO UPDATE SET last = shape_counter.last + 1 RETURNING last;
INSERT INTO shape_case VALUES (nextval('shape_case_seq'), repeat('s', 3400), 0);
INSERT INTO shape_task (case_id, status) VALUES (currval('shape_case_seq'), 'open');
INSERT INTO shape_event (case_id, body)
  VALUES (currval('shape_case_seq'), repeat('e', 300)),
         (currval('shape_case_seq'), repeat('e', 300));
UPDATE shape_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash;
WITH e AS (INSERT INTO shape_audit SELECT seq, repeat('a', 300), md5(hash) FROM shape_head
           WHERE id = 1 RETURNING seq)
  UPDATE shape_head SET hash = md5(hash) WHERE id = 1 RETURNING (SELECT seq FROM e);
COMMIT;
"""


def pgbench_submission_shape(
    env: dict[str, str], *, clients: int, seconds: int
) -> dict[str, float]:
    """The submission's SQL without the application: what the same writes cost the database."""
    ensure_database(env, SCRATCH_DB, fresh=True)
    psql(env, SHAPE_SETUP, db=SCRATCH_DB)
    out = _run_script(env, SUBMIT_SHAPE_SCRIPT, clients=clients, seconds=seconds)
    psql(env, f'DROP DATABASE IF EXISTS "{SCRATCH_DB}"')
    return out


def pgbench_completion_shape(
    env: dict[str, str], *, clients: int, seconds: int
) -> dict[str, float]:
    """The completion's SQL without the application: the floor any implementation on this
    database pays for the same writes."""
    ensure_database(env, SCRATCH_DB, fresh=True)
    psql(env, SHAPE_SETUP, db=SCRATCH_DB)
    out = _run_script(env, SHAPE_SCRIPT, clients=clients, seconds=seconds)
    psql(env, f'DROP DATABASE IF EXISTS "{SCRATCH_DB}"')
    return out


def _run_script(env: dict[str, str], text: str, *, clients: int, seconds: int) -> dict[str, float]:
    out: dict[str, float] = {}
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(text)
    for label, c in (("single", 1), ("concurrent", clients)):
        printed = subprocess.run(
            [
                "pgbench",
                "-n",
                "-f",
                script.name,
                "-c",
                str(c),
                "-j",
                str(min(c, 2)),
                "-T",
                str(seconds),
                SCRATCH_DB,
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        out[f"{label}_tps"] = float(printed.split("tps = ")[1].split()[0])
        out[f"{label}_latency_ms"] = float(printed.split("latency average = ")[1].split()[0])
    os.unlink(script.name)
    return out


# --- application --------------------------------------------------------------------------


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("ONEWINDOW_VAR_DIR", str(ROOT / "var" / "bench"))
    import django

    django.setup()


def prepare(n_residents: int) -> dict[str, Any]:
    from django.core.management import call_command

    from onewindow.audit.services import Actor
    from onewindow.catalog.services import service_packages_import
    from onewindow.demo.city import city_structure_seed
    from onewindow.identity.models import Person
    from onewindow.testing.cases import FORM, PARALLEL_BPMN, definition
    from onewindow.testing.factories import PersonFactory

    call_command("migrate", verbosity=0)
    city_structure_seed(seed=1)
    base = Path(tempfile.mkdtemp(prefix="cases-bench-"))
    schema = dict(FORM)
    for code, bpmn in ((SERVICE, PARALLEL_BPMN), (LOOP_SERVICE, LOOP_BPMN)):
        folder = base / code
        folder.mkdir()
        service = definition(code=code, materials=[])
        import yaml

        (folder / "service.yaml").write_text(yaml.safe_dump(service, allow_unicode=True))
        (folder / "form.schema.json").write_text(json.dumps(schema, ensure_ascii=False))
        (folder / "process.bpmn").write_text(bpmn)
        service_packages_import(actor=Actor.system("bench"), paths=[folder])
    have = list(
        Person.objects.filter(user__username__startswith="bench-r").values_list(
            "user_id", flat=True
        )
    )
    while len(have) < n_residents:
        person = PersonFactory(user__username=f"bench-r{len(have)}")
        have.append(person.user_id)
    return {"residents": have[:n_residents]}


# Only what is not the applicant's own: the name, citizen ID and phone come from their
# real-name record (a submission naming someone else is refused).
ANSWERS = {"degree": "bachelor"}


def _submit_worker(args: tuple[int, int, float, str]) -> list[float]:
    user_id, count, deadline, prefix = args
    from django.db import connection

    from onewindow.cases.services import case_create_and_submit
    from onewindow.identity.models import User

    user = User.objects.get(pk=user_id)
    timings = []
    for i in range(count):
        if time.time() > deadline:
            break
        started = time.perf_counter()
        case_create_and_submit(
            user=user, service_code=SERVICE, form_data=ANSWERS, idempotency_key=f"{prefix}-{i}"
        )
        timings.append(time.perf_counter() - started)
    connection.close()
    return timings


def _complete_worker(args: tuple[list[tuple[int, int]], float]) -> list[float]:
    pairs, deadline = args
    from django.db import connection

    from onewindow.cases.services import task_complete
    from onewindow.identity.models import User

    users: dict[int, Any] = {}
    timings = []
    for task_id, user_id in pairs:
        if time.time() > deadline:
            break
        user = users.get(user_id) or users.setdefault(user_id, User.objects.get(pk=user_id))
        started = time.perf_counter()
        task_complete(user=user, task_id=task_id, decision="approve")
        timings.append(time.perf_counter() - started)
    connection.close()
    return timings


def _pool(procs: int) -> Any:
    from django.db import connections

    connections.close_all()
    return multiprocessing.get_context("fork").Pool(procs)


def measure_submissions(
    residents: list[int], *, procs: int, seconds: float, per: int
) -> dict[str, Any]:
    stamp = str(int(time.time() * 1000))
    deadline = time.time() + seconds
    jobs = [(uid, per, deadline, f"b{stamp}-{n}") for n, uid in enumerate(residents)]
    started = time.perf_counter()
    with _pool(procs) as pool:
        results = pool.map(_submit_worker, jobs)
    elapsed = time.perf_counter() - started
    timings = [t for chunk in results for t in chunk]
    return _summary(timings, elapsed)


def _holders() -> dict[tuple[int, str], int]:
    from onewindow.identity.models import StaffRole

    out: dict[tuple[int, str], int] = {}
    for row in StaffRole.objects.select_related("staff").order_by("pk"):
        out.setdefault((row.department_id, row.role.code), row.staff.user_id)
    return out


def measure_completions(*, procs: int, seconds: float) -> dict[str, Any]:
    from onewindow.cases.models import CaseTask

    holders = _holders()
    tasks = list(
        CaseTask.objects.filter(status="open", case__service_version__service__code=SERVICE)
        .order_by("case_id", "pk")
        .values_list("pk", "case_id", "department_id", "role_code")
    )
    # Different processes take different cases; each case's tasks stay in one process.
    buckets: list[list[tuple[int, int]]] = [[] for _ in range(procs)]
    for task_id, case_id, dept, role in tasks:
        user = holders.get((dept, role))
        if user is not None:
            buckets[case_id % procs].append((task_id, user))
    deadline = time.time() + seconds
    started = time.perf_counter()
    with _pool(procs) as pool:
        results = pool.map(_complete_worker, [(b, deadline) for b in buckets])
    elapsed = time.perf_counter() - started
    return _summary([t for chunk in results for t in chunk], elapsed)


def measure_step_cost(residents: list[int], *, samples: int) -> dict[str, Any]:
    """Complete the looping review task 300 times on one case; time steps near 10 and 300."""
    from django.db import connection

    from onewindow.cases.models import Case
    from onewindow.cases.services import case_create_and_submit, task_complete
    from onewindow.identity.models import User

    user = User.objects.get(pk=residents[0])
    approver = User.objects.get(username="rsj_approver")
    case, _ = case_create_and_submit(
        user=user,
        service_code=LOOP_SERVICE,
        form_data=ANSWERS,
        idempotency_key=f"loop-{time.time()}",
    )
    timings: dict[int, list[float]] = {}
    total = 300 + samples
    for done in range(total):
        task = case.tasks.get(status__in=("open", "claimed"))  # a loop keeps its holder
        started = time.perf_counter()
        task_complete(user=approver, task_id=task.pk, decision="approve", comment="again")
        took = time.perf_counter() - started
        timings[done] = [took]
    state = Case.objects.get(pk=case.pk).process_state
    at10 = [timings[i][0] for i in range(10, 10 + samples)]
    at300 = [timings[i][0] for i in range(300, 300 + samples)]
    connection.close()
    return {
        "step_ms_at_10": statistics.median(at10) * 1000,
        "step_ms_at_300": statistics.median(at300) * 1000,
        "state_bytes_after": len(json.dumps(state)),
        "samples": samples,
    }


def measure_queries(residents: list[int]) -> dict[str, int]:
    """SQL statements of one submission and of the first task completion (accept, which opens
    the three parallel approvals) and one parallel approval, single-threaded."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from onewindow.cases.services import case_create_and_submit, task_complete
    from onewindow.identity.models import User

    holders = _holders()
    user = User.objects.get(pk=residents[0])
    # A running worker has read the published version and the departments its tasks go to
    # already (catalog.versions).
    case_create_and_submit(
        user=user, service_code=SERVICE, form_data=ANSWERS, idempotency_key=f"w{time.time()}"
    )
    from onewindow.catalog.versions import departments_by_code

    departments_by_code({"gz-rsj", "gz-jyj", "gz-gaj"})
    with CaptureQueriesContext(connection) as submit:
        case, _ = case_create_and_submit(
            user=user, service_code=SERVICE, form_data=ANSWERS, idempotency_key=f"q{time.time()}"
        )
    out = {"submission": len(submit.captured_queries)}
    for label, element in (("completion_accept", "accept"), ("completion_parallel", "hr")):
        task = case.tasks.get(element_id=element)
        approver = User.objects.get(pk=holders[(task.department_id, task.role_code)])
        with CaptureQueriesContext(connection) as done:
            task_complete(user=approver, task_id=task.pk, decision="approve")
        out[label] = len(done.captured_queries)
    connection.close()
    return out


def _summary(timings: list[float], elapsed: float) -> dict[str, Any]:
    if not timings:
        return {"count": 0, "per_second": 0.0}
    ordered = sorted(timings)
    return {
        "count": len(timings),
        "seconds": round(elapsed, 2),
        "per_second": len(timings) / elapsed,
        "p50_ms": ordered[len(ordered) // 2] * 1000,
        "p95_ms": ordered[int(len(ordered) * 0.95) - 1] * 1000,
        "mean_ms": statistics.mean(timings) * 1000,
    }


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-pgbench", action="store_true")
    parser.add_argument("--procs", type=int, default=4)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    env, name = pg_env(url)
    ensure_database(env, name)
    seconds = 5 if args.quick else 15
    results: dict[str, Any] = {}
    if not args.skip_pgbench:
        print("• pgbench TPC-B", flush=True)
        results["pgbench"] = pgbench(env, scale=10, clients=8, threads=2, seconds=seconds)
        print("• pgbench one-row UPDATE", flush=True)
        results["update"] = pgbench_update(env, clients=8, seconds=seconds)
        print("• pgbench completion-shaped transaction (the same SQL, no application)", flush=True)
        results["shape"] = pgbench_completion_shape(env, clients=8, seconds=seconds)
        print("• pgbench submission-shaped transaction (the same SQL, no application)", flush=True)
        results["submit_shape"] = pgbench_submission_shape(env, clients=8, seconds=seconds)
    django_setup(url)
    prepared = prepare(n_residents=max(args.procs * 2, 8))
    print("• queries per submission and completion", flush=True)
    results["queries"] = measure_queries(prepared["residents"])
    print("• submissions (3-way parallel service)", flush=True)
    results["submissions"] = measure_submissions(
        prepared["residents"], procs=args.procs, seconds=seconds * 2, per=10_000
    )
    print("• task completions", flush=True)
    results["completions"] = measure_completions(procs=args.procs, seconds=seconds * 2)
    print("• step cost at 10 vs 300 completed tasks", flush=True)
    results["steps"] = measure_step_cost(prepared["residents"], samples=10 if args.quick else 30)

    tps = results.get("pgbench", {}).get("tps")
    update = results.get("update", {})
    sub = results["submissions"].get("per_second")
    comp = results["completions"]
    steps = results["steps"]
    results["ratios"] = {
        "submissions_per_pgbench_tps": ratio(sub, tps),
        "completion_vs_update_time_concurrent": ratio(
            update.get("concurrent_tps"), comp.get("per_second")
        ),
        "completion_vs_update_latency_single": ratio(
            steps["step_ms_at_10"], update.get("single_latency_ms")
        ),
        "step300_per_step10": ratio(steps["step_ms_at_300"], steps["step_ms_at_10"]),
        "shape_vs_update_latency_single": ratio(
            results.get("shape", {}).get("single_latency_ms"), update.get("single_latency_ms")
        ),
        "completion_vs_shape_latency_single": ratio(
            steps["step_ms_at_10"], results.get("shape", {}).get("single_latency_ms")
        ),
        "completion_vs_shape_time_concurrent": ratio(
            results.get("shape", {}).get("concurrent_tps"), comp.get("per_second")
        ),
        "submit_shape_per_pgbench_tps": ratio(
            results.get("submit_shape", {}).get("concurrent_tps"), tps
        ),
        "submissions_per_submit_shape_tps": ratio(
            sub, results.get("submit_shape", {}).get("concurrent_tps")
        ),
    }
    print(json.dumps(results, indent=2, ensure_ascii=False))
    r = results["ratios"]
    print("\nratio                                         value    target")
    print(
        f"submissions/s ÷ pgbench TPS                   {r['submissions_per_pgbench_tps']}   ≥ 0.25"
    )
    concurrent = r["completion_vs_update_time_concurrent"]
    single = r["completion_vs_update_latency_single"]
    print(f"completion time ÷ one-row UPDATE (8 clients)  {concurrent}   ≤ 3")
    print(f"completion latency ÷ UPDATE latency (1 client) {single}  ≤ 3")
    print(f"step(300) ÷ step(10)                          {r['step300_per_step10']}   ≤ 1.5")
    print("\nwhere the submission's time goes (8 clients):")
    print(f"  the same SQL alone ÷ pgbench TPS             {r['submit_shape_per_pgbench_tps']}")
    print(f"  submissions/s ÷ the same SQL alone           {r['submissions_per_submit_shape_tps']}")
    print("\nwhere the completion's time goes (1 client):")
    print(f"  the same SQL alone ÷ one-row UPDATE          {r['shape_vs_update_latency_single']}")
    print(
        f"  completion ÷ the same SQL alone              {r['completion_vs_shape_latency_single']}"
    )
    print(
        f"  (8 clients) completion ÷ the same SQL alone  {r['completion_vs_shape_time_concurrent']}"
    )
    out = ROOT / "bench" / "results" / f"cases-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
