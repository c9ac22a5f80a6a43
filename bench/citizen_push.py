"""Push-rule and notification benchmark on PostgreSQL, on the citizen-page city (run
``bench/citizen_page.py`` first: 1 M residents, 5 M cases), one run (targets in brackets):

(a) a scheduled rule (the ID-card reminder, 90 days) swept over every resident, batch after
    batch behind its cursor, as the daily task sweeps it (``push_sweep_rule``), against a
    bare SQL scan of the same rows in the same batches [wall time ≤ 10 × the scan]; and the
    floor of any sweep behind a cursor: the sweep's read of each window and a cursor row
    moved per batch, with no rule evaluated and nothing pushed;
(b) notifications accepted per second on the path the platform's pushes take: the pushes
    the sweep of (a) made, told by the ``outreach.deliver`` task body
    (``push_deliver_batch``: one transaction per task, notify's batch front door writing
    the in-app and SMS rows, one broker hand-off per task) in the very batches the sweep
    handed to the broker (up to 200 pushes a task), by ``--procs`` workers in parallel;
    against case submissions per second of a 3-way parallel service [≥ 10 ×]. (Until this
    change (b) measured single ``notify_tell`` calls without a reason, i.e. not the push
    path; that figure is still printed as ``single notify_tell`` for comparison.)
(c) case submissions with the push rules listening against the same without them
    [p95 grows ≤ 10 %].

Celery runs on Redis here as it does at scale, with no worker: a benchmark of acceptance
measures what the request pays (rows and the hand-off), not the vendors.

    .venv/bin/python bench/citizen_push.py [--procs 4] [--seconds 10] [--quick]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench import cases_bench  # noqa: E402
from bench.citizen_page import DEFAULT_URL  # noqa: E402
from bench.run import ensure_database, pg_env  # noqa: E402

RULE = "id-card-expiring"
BROKER = "redis://127.0.0.1:6379/9"
BATCH = 500


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["CELERY_BROKER_URL"] = BROKER
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("ONEWINDOW_VAR_DIR", str(ROOT / "var" / "bench"))
    import django

    django.setup()
    from django.conf import settings

    from onewindow.config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = BROKER
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _flush_broker() -> None:
    import redis

    redis.Redis.from_url(BROKER).flushdb()


# --- (a) a scheduled rule over the population ------------------------------------------------


def prepare_rule() -> dict[str, Any]:
    """Every resident gets an ID card valid until some day in the next 20 years (about one
    in eighty within 90 days); the rules are loaded and the ID-card rule switched on, with
    today's sweep and its pushes cleared so the run starts from the first resident."""
    from django.db import connection

    from onewindow.audit.services import Actor
    from onewindow.outreach.models import PushCursor, PushLog, PushRule
    from onewindow.outreach.services import push_rules_sync

    with connection.cursor() as cur:
        cur.execute(
            "UPDATE identity_person "
            "SET id_card_valid_until = current_date + ((id * 37) % 7300)::int "
            "WHERE id_card_valid_until IS NULL"
        )
        cur.execute("ANALYZE identity_person")
    _distinct_phones()
    if not PushRule.objects.filter(code=RULE).exists():
        push_rules_sync(actor=Actor.system("bench"))
    PushRule.objects.filter(code=RULE).update(enabled=True)
    PushLog.objects.filter(rule__code=RULE).delete()
    with connection.cursor() as cur:  # what earlier runs told: (b) writes it anew
        cur.execute("DELETE FROM notify_message WHERE source_key LIKE %s", [f"push:{RULE}:%"])
        cur.execute("DELETE FROM notify_smsmessage WHERE source_key LIKE %s", [f"push:{RULE}:%"])
    PushCursor.objects.filter(rule__code=RULE).delete()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM identity_person WHERE user_id IS NOT NULL")
        residents = int(cur.fetchone()[0])
    return {"residents": residents}


def _distinct_phones() -> None:
    """The generated city gives every resident one phone number (13900000000): the residents
    the rule will push get a number of their own, so (b) writes their SMS rather than
    finding the shared number over its per-recipient limit after 20 pushes."""
    from django.db import connection

    from onewindow.identity.models import Person

    field = Person._meta.get_field("phone")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id FROM identity_person WHERE user_id IS NOT NULL "
            "AND id_card_valid_until BETWEEN current_date - 1 AND current_date + 91 "
            "AND phone_bidx LIKE 'bench-ph-%%'"
        )
        ids = [row[0] for row in cur.fetchall()]
        rows = [
            (field.get_db_prep_value(f"139{pk % 10**8:08d}", connection), f"bench-own-{pk}", pk)
            for pk in ids
        ]
        cur.executemany(
            "UPDATE identity_person SET phone = %s, phone_bidx = %s WHERE id = %s", rows
        )


def bare_scan() -> dict[str, Any]:
    """The rows the sweep reads, in the batches it reads them, by plain SQL."""
    from django.db import connection

    started = time.perf_counter()
    last, rows = 0, 0
    with connection.cursor() as cur:
        while True:
            cur.execute(
                "SELECT id, user_id, name, birth_date, region_code, id_card_valid_until "
                "FROM identity_person WHERE id > %s AND user_id IS NOT NULL "
                "ORDER BY id LIMIT %s",
                [last, BATCH],
            )
            batch = cur.fetchall()
            if not batch:
                break
            rows += len(batch)
            last = batch[-1][0]
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 2)}


def sweep() -> dict[str, Any]:
    """The rule's sweep as the daily task runs it (``push_sweep_rule``: the rule and the
    cursor read once, then batch after batch behind the cursor), to the end."""
    from onewindow.outreach.services import push_sweep_rule

    started = time.perf_counter()
    result = push_sweep_rule(rule_code=RULE, batch=BATCH)
    return {
        "scanned": result.scanned,
        "pushes": result.pushes,
        "batches": result.batches,
        "seconds": round(time.perf_counter() - started, 2),
        "task_sizes": list(result.handed),
    }


def sweep_floor() -> dict[str, Any]:
    """The least a resumable sweep of the rule does per batch, without the application: the
    sweep's own read of the window (``person_rows_window``, the rule's bounds judged by the
    database), then a transaction moving a cursor row by compare-and-set, committed as the
    sweep commits (``synchronous_commit`` off). No evaluation, no pushes, no audit. This ÷ the
    bare scan is the lowest ratio any sweep behind a cursor can show here; the sweep ÷ this is
    what the rule's evaluation and its pushes add."""
    from django.db import connection, transaction
    from django.utils import timezone

    from onewindow.identity.selectors import person_rows_window
    from onewindow.outreach import prefilter
    from onewindow.outreach.evaluate import person_names
    from onewindow.outreach.facts import row_fields
    from onewindow.outreach.models import PushRule
    from onewindow.outreach.services import rule_of

    rule = PushRule.objects.get(code=RULE)
    fields = row_fields(person_names(rule_of(rule)))
    where = prefilter.person_bounds(rule.condition, today=timezone.localdate())
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_sweep_floor_cursor")
        cur.execute(
            "CREATE TABLE bench_sweep_floor_cursor (id int PRIMARY KEY, last bigint NOT NULL)"
        )
        cur.execute("INSERT INTO bench_sweep_floor_cursor VALUES (1, 0)")
        cur.execute("SET synchronous_commit TO off")
    started = time.perf_counter()
    last = rows = batches = 0
    try:
        while True:
            window = person_rows_window(after_pk=last, limit=BATCH, fields=fields, where=where)
            with transaction.atomic(durable=True), connection.cursor() as cur:
                cur.execute(
                    "UPDATE bench_sweep_floor_cursor SET last = %s WHERE id = 1 AND last = %s",
                    [window.last_pk, last],
                )
            rows += len(window.rows)
            batches += 1
            last = window.last_pk
            if window.walked < BATCH:
                break
        seconds = time.perf_counter() - started
    finally:
        with connection.cursor() as cur:
            cur.execute("RESET synchronous_commit")
            cur.execute("DROP TABLE IF EXISTS bench_sweep_floor_cursor")
    return {"batches": batches, "candidates": rows, "seconds": round(seconds, 2)}


def _deliver_worker(args: tuple[list[list[int]], float]) -> list[tuple[float, int]]:
    tasks, deadline = args
    from django.db import connection

    from onewindow.outreach.services import push_deliver_batch

    timings = []
    for ids in tasks:
        if time.time() >= deadline:
            break
        started = time.perf_counter()
        told = push_deliver_batch(push_ids=ids)
        timings.append((time.perf_counter() - started, len(told)))
    connection.close()
    return timings


def measure_push_delivery(sizes: list[int], *, procs: int, seconds: float) -> dict[str, Any]:
    """The sweep's pushes told in the batches the sweep handed over (one task each)."""
    from onewindow.outreach.models import PushLog

    ids = list(
        PushLog.objects.filter(rule__code=RULE, status="pending")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    tasks, at = [], 0
    for size in sizes:
        tasks.append(ids[at : at + size])
        at += size
    tasks = [t for t in tasks if t]
    deadline = time.time() + seconds
    jobs = [(tasks[i::procs], deadline) for i in range(procs)]
    started = time.perf_counter()
    with cases_bench._pool(procs) as pool:
        results = pool.map(_deliver_worker, jobs)
    elapsed = time.perf_counter() - started
    flat = [r for chunk in results for r in chunk]
    told = sum(n for _, n in flat)
    per_task = sorted(t for t, _ in flat)
    return {
        "tasks": len(flat),
        "notifications": told,
        "seconds": round(elapsed, 2),
        "per_second": told / elapsed if elapsed else 0.0,
        "task_p95_ms": per_task[int(len(per_task) * 0.95) - 1] * 1000 if per_task else None,
    }


# --- (b) notifications accepted per second ---------------------------------------------------


def _notify_worker(args: tuple[list[int], float, str]) -> list[float]:
    user_ids, deadline, prefix = args
    from django.db import connection, transaction

    from onewindow.notify.services import Recipient, notify_tell

    timings = []
    n = 0
    while time.time() < deadline:
        user_id = user_ids[n % len(user_ids)]
        started = time.perf_counter()
        with transaction.atomic(durable=True):
            notify_tell(
                recipient=Recipient(user_id=user_id, phone=f"139{user_id % 10**8:08d}"),
                template="case_update",
                params={"case_no": f"B{n}", "status": "已受理"},
                kind="bench",
                source_key=f"{prefix}:{n}",
            )
        timings.append(time.perf_counter() - started)
        n += 1
    connection.close()
    return timings


def measure_notifications(*, procs: int, seconds: float) -> dict[str, Any]:
    from bench import citizen_data

    users = citizen_data.sample_users(procs * 200, seed=11)
    stamp = str(int(time.time() * 1000))
    deadline = time.time() + seconds
    jobs = [(users[i::procs], deadline, f"bench-n{stamp}-{i}") for i in range(procs)]
    started = time.perf_counter()
    with cases_bench._pool(procs) as pool:
        results = pool.map(_notify_worker, jobs)
    elapsed = time.perf_counter() - started
    return cases_bench._summary([t for chunk in results for t in chunk], elapsed)


# --- (c) submissions with and without the push rules listening ------------------------------


def _listening(on: bool) -> None:
    from onewindow.cases.signals import case_news
    from onewindow.outreach.receivers import on_case_news

    if on:
        case_news.connect(on_case_news, dispatch_uid="outreach.case_news")
    else:
        case_news.disconnect(dispatch_uid="outreach.case_news")


def measure_submissions_both(
    residents: list[int], *, procs: int, seconds: float, rounds: int
) -> dict[str, Any]:
    """Rounds alternate off and on, so the machine's drift weighs on both alike."""
    timings: dict[str, list[dict[str, Any]]] = {"off": [], "on": []}
    for _ in range(rounds):
        for state in ("off", "on"):
            _listening(state == "on")
            timings[state].append(
                cases_bench.measure_submissions(residents, procs=procs, seconds=seconds, per=10_000)
            )
    _listening(True)

    def merged(runs: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "per_second": sum(r["per_second"] for r in runs) / len(runs),
            "p95_ms": sorted(r["p95_ms"] for r in runs)[len(runs) // 2],
            "runs": runs,
        }

    return {state: merged(runs) for state, runs in timings.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds = 4, 1
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    env, name = pg_env(url)
    ensure_database(env, name)
    setup(url)
    results: dict[str, Any] = {"date": datetime.datetime.now().isoformat(timespec="seconds")}

    print("• (a) the ID-card rule over the population", flush=True)
    results["population"] = prepare_rule()
    results["scan"] = bare_scan()
    print(f"  bare scan: {results['scan']}", flush=True)
    results["sweep"] = sweep()
    sizes = results["sweep"].pop("task_sizes")
    print(f"  sweep: {results['sweep']}", flush=True)
    results["sweep_floor"] = sweep_floor()
    print(f"  floor (window + cursor move, no rule): {results['sweep_floor']}", flush=True)
    _flush_broker()

    print("• (b) notifications accepted on the push path", flush=True)
    results["notifications"] = measure_push_delivery(sizes, procs=args.procs, seconds=args.seconds)
    print(f"  push path: {results['notifications']}", flush=True)
    _flush_broker()
    results["single_notify_tell"] = measure_notifications(procs=args.procs, seconds=args.seconds)
    print(f"  single notify_tell: {results['single_notify_tell']['per_second']:.0f}/s", flush=True)
    print("• (b, c) case submissions, push rules off and on", flush=True)
    prepared = cases_bench.prepare(n_residents=max(args.procs * 2, 8))
    results["submissions"] = measure_submissions_both(
        prepared["residents"], procs=args.procs, seconds=args.seconds, rounds=args.rounds
    )
    _flush_broker()

    scan, swept = results["scan"]["seconds"], results["sweep"]["seconds"]
    notes = results["notifications"]["per_second"]
    off, on = results["submissions"]["off"], results["submissions"]["on"]
    floor = results["sweep_floor"]["seconds"]
    ratios = {
        "sweep_per_scan": round(swept / scan, 2) if scan else None,
        "floor_per_scan": round(floor / scan, 2) if scan else None,
        "sweep_per_floor": round(swept / floor, 2) if floor else None,
        "notifications_per_submission": round(notes / on["per_second"], 2),
        "push_cost_on_submission_p95": round(on["p95_ms"] / off["p95_ms"] - 1, 3),
    }
    results["ratios"] = ratios
    print()
    print(f"{results['population']['residents']:,} residents")
    print(
        f"rule sweep {swept:.1f} s ({results['sweep']['pushes']:,} pushes) ÷ bare scan "
        f"{scan:.2f} s = {ratios['sweep_per_scan']}  (target ≤ 10)"
    )
    print(
        f"  floor of any sweep behind a cursor (the window, a cursor move per batch) {floor:.1f} s"
        f" = {ratios['floor_per_scan']} × the scan; the sweep = {ratios['sweep_per_floor']} × it"
    )
    print(
        f"notifications accepted {notes:.0f}/s ÷ case submissions {on['per_second']:.1f}/s = "
        f"{ratios['notifications_per_submission']}  (target ≥ 10)"
    )
    print(
        f"submission p95 with pushes {on['p95_ms']:.1f} ms vs without {off['p95_ms']:.1f} ms: "
        f"{ratios['push_cost_on_submission_p95']:+.1%}  (target ≤ +10 %)"
    )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"citizen-push-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print(f"\nresults: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
