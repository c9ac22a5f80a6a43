"""Hotline (12345) benchmark on PostgreSQL, one run (targets in brackets):

(a) request intake: residents filing requests with a location and a contact through
    ``interaction.services.request_file`` (as the web form and the API do: the client key,
    the checks, the order number, the timeline row, the audit row, the notice after commit),
    from several processes, against case submissions measured the same way in the same run
    (``cases_bench.measure_submissions``): intake/s ÷ submissions/s [≥ 0.5];
(b) with ``--rows`` requests loaded (bench/interaction_data.py; 1,000,000 unless told),
    the dispatcher's queue and a department's inbox, as selectors (in the process, against
    a primary-key select through the ORM) and as pages (``/hotline/dispatch/``,
    ``/hotline/inbox/`` under gunicorn, against ``/bench/staff-pk``: the staff session, the
    account, its second factor and one primary-key select): p95 ÷ the PK select's p95 [≤ 10];
(c) the suggested routing's top-1 and top-3 accuracy on the held-back share of the shipped
    training set, beside always suggesting the most frequent labels.

    .venv/bin/python bench/interaction_bench.py [--rows 1000000] [--quick] [--procs 4]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench import cases_bench, citizen_data, citizen_page, interaction_data, login_home  # noqa: E402
from bench.run import ensure_database, pg_env  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/onewindow_bench_interaction"
QUICK_ROWS = 20_000
DISPATCHER = "zsj_dispatcher"
INTAKE_TARGET = 0.5
P95_TARGET = 10.0
PAGE_LIMIT = 100  # what the pages ask their selectors for


# --- (a) intake --------------------------------------------------------------------------------


def filings(count: int, *, seed: int) -> list[Any]:
    """Filings as residents write them: the training set's texts, kinds, categories and
    districts, with a street, community, address, coordinates and a contact phone."""
    from decimal import Decimal

    from onewindow.interaction.routing.corpus import corpus_read
    from onewindow.interaction.services import Contact, Filing, Location

    rng = random.Random(seed)
    corpus = corpus_read(interaction_data.CORPUS)
    out = []
    for _ in range(count):
        row = rng.choice(corpus)
        street = f"{row.district}{rng.randint(1, 20):03d}"
        out.append(
            Filing(
                kind=row.kind,
                content=row.text,
                category_code=row.category,
                location=Location(
                    region_code=row.district,
                    street_code=street,
                    community_code=f"{street}{rng.randint(1, 30):03d}",
                    address=f"{rng.randint(1, 300)}号",
                    latitude=Decimal(f"{23.13 + rng.uniform(-0.3, 0.3):.6f}"),
                    longitude=Decimal(f"{113.26 + rng.uniform(-0.3, 0.3):.6f}"),
                ),
                contact=Contact(name="陈先生", phone=f"139{rng.randint(0, 99_999_999):08d}"),
            )
        )
    return out


def intake_timings(user_id: int, count: int, *, deadline: float, prefix: str) -> list[float]:
    """File up to ``count`` requests as the user (web channel, a fresh client key each, as
    the form sends), until the deadline; the seconds each took."""
    from dataclasses import replace

    from onewindow.identity.models import User
    from onewindow.interaction.forms import client_key_for
    from onewindow.interaction.services import request_file

    user = User.objects.get(pk=user_id)
    timings = []
    for i, filing in enumerate(filings(count, seed=zlib.crc32(prefix.encode()))):
        if time.time() > deadline:
            break
        keyed = replace(filing, client_key=client_key_for(user, f"{prefix}-{i}"))
        started = time.perf_counter()
        request_file(user=user, channel="web", filing=keyed, ip="127.0.0.1")
        timings.append(time.perf_counter() - started)
    return timings


def _intake_worker(args: tuple[int, int, float, str]) -> list[float]:
    from django.db import connection

    user_id, count, deadline, prefix = args
    try:
        return intake_timings(user_id, count, deadline=deadline, prefix=prefix)
    finally:
        connection.close()


def measure_intake(residents: list[int], *, procs: int, seconds: float) -> dict[str, Any]:
    stamp = str(int(time.time() * 1000))
    deadline = time.time() + seconds
    jobs = [(uid, 2000, deadline, f"i{stamp}-{n}") for n, uid in enumerate(residents)]
    started = time.perf_counter()
    with cases_bench._pool(procs) as pool:
        results = pool.map(_intake_worker, jobs)
    elapsed = time.perf_counter() - started
    return cases_bench._summary([t for chunk in results for t in chunk], elapsed)


def throughput(residents: list[int], *, procs: int, seconds: float, rounds: int) -> dict:
    """Submissions and intake in turns (``rounds`` of each), so both see the same machine.
    One of each first in this process: the modules they import on first use are then loaded
    before the worker processes fork, so neither count includes that."""
    stamp = str(int(time.time() * 1000))
    cases_bench._submit_worker((residents[0], 1, time.time() + 600, f"w{stamp}"))
    _intake_worker((residents[0], 1, time.time() + 600, f"w{stamp}"))
    out: dict[str, list[dict]] = {"submissions": [], "intake": []}
    for n in range(rounds):
        print(f"• case submissions, round {n + 1}", flush=True)
        out["submissions"].append(
            cases_bench.measure_submissions(residents, procs=procs, seconds=seconds, per=10_000)
        )
        print(f"• request intake, round {n + 1}", flush=True)
        out["intake"].append(measure_intake(residents, procs=procs, seconds=seconds))
    combined = {}
    for key, runs in out.items():
        count = sum(r["count"] for r in runs)
        secs = sum(r.get("seconds", 0) for r in runs)
        combined[key] = {
            "count": count,
            "per_second": count / secs if secs else 0.0,
            "p95_ms": max(r.get("p95_ms", 0.0) for r in runs),
            "rounds": runs,
        }
    return combined


# --- (b) queue and inbox -----------------------------------------------------------------------


def _p95(values: list[float]) -> float:
    return login_home.percentile(values, 95)


def busiest_department() -> tuple[int, int]:
    """(department id, handler's user id) of the department with the most parts to sign for
    or in hand, among those with a demo order handler."""
    from django.db.models import Count

    from onewindow.identity.models import StaffRole
    from onewindow.interaction.models import Assignment

    handlers = {
        dept: user
        for dept, user in StaffRole.objects.filter(role__code="hotline_handler")
        .order_by("-pk")
        .values_list("department_id", "staff__user_id")
    }
    counts = (
        Assignment.objects.filter(status__in=("pending", "signed"), department_id__in=handlers)
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "department_id")
    )
    top = counts.first()
    if top is None:
        raise SystemExit("no department has orders in hand: generate the requests first")
    return top["department_id"], handlers[top["department_id"]]


def selector_latencies(*, department_id: int, samples: int) -> dict[str, Any]:
    """p95 (ms) of the queue's and the inbox's selectors as the pages call them, and of a
    primary-key select of one request through the ORM, taken in turns."""
    from django.db.models import Max

    from onewindow.interaction.models import Request
    from onewindow.interaction.selectors import department_inbox, dispatcher_queue
    from onewindow.interaction.selectors.desk import requests_awaiting_office

    top = Request.objects.aggregate(m=Max("pk"))["m"] or 1
    rng = random.Random(7)

    def pk_select() -> object:
        pk = rng.randint(1, top)
        return list(Request.objects.filter(pk=pk).order_by().values_list("number", "status")[:1])

    calls = {
        "pk_select": pk_select,
        "queue": lambda: dispatcher_queue(limit=PAGE_LIMIT),
        "awaiting_office": requests_awaiting_office,
        "inbox": lambda: department_inbox(department_ids={department_id}, limit=PAGE_LIMIT),
        "inbox_overdue": lambda: department_inbox(
            department_ids={department_id}, overdue_only=True, limit=PAGE_LIMIT
        ),
    }
    for call in calls.values():  # warm the caches once
        call()
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(samples):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            times[name].append((time.perf_counter() - started) * 1000)
    return {
        name: {"p50_ms": statistics.median(t), "p95_ms": _p95(t), "samples": len(t)}
        for name, t in times.items()
    }


def page_latencies(
    app: dict[str, str], *, handler: int, seconds: int, connections: int, workers: int
) -> dict[str, Any]:
    """The pages under gunicorn as the dispatcher and the department's handler, and the
    staff primary-key page, each with wrk (or Python threads) for ``seconds``."""
    import httpx

    from onewindow.identity.models import User
    from onewindow.interaction.models import Request

    dispatcher = User.objects.get(username=DISPATCHER).pk
    sample = Request.objects.order_by("-pk").values_list("pk", flat=True).first()
    cookies = {
        "dispatcher": citizen_data.session_cookies([dispatcher], verified=True),
        "handler": citizen_data.session_cookies([handler], verified=True),
    }
    pages = {
        "pk_page": (f"/bench/staff-pk?id={sample}", "dispatcher"),
        "queue_page": ("/hotline/dispatch/", "dispatcher"),
        "inbox_page": ("/hotline/inbox/", "handler"),
    }
    from django.db import connections as dbs

    dbs.close_all()
    out: dict[str, Any] = {}
    with login_home.gunicorn(app, workers=workers) as base:
        for name, (path, who) in pages.items():
            answer = httpx.get(base + path, headers={"Cookie": cookies[who][0]}, timeout=30)
            if answer.status_code != 200 or (name != "pk_page" and "item-list" not in answer.text):
                raise SystemExit(f"{path} answered {answer.status_code} without its list")
        for name, (path, who) in pages.items():
            print(f"• {path} ({who})", flush=True)
            citizen_page.page_load(base + path, cookies[who], seconds=2, connections=connections)
            out[name] = citizen_page.page_load(
                base + path, cookies[who], seconds=seconds, connections=connections
            ).as_dict()
    return out


# --- (c) routing -------------------------------------------------------------------------------


def classifier(*, corpus: Path = interaction_data.CORPUS, holdout: float = 0.2) -> dict:
    """Train on the shipped training set less a stratified held-back share and measure on it
    (``interaction.routing.model.train``, what ``interaction_train`` runs)."""
    from onewindow.interaction.routing.corpus import corpus_read
    from onewindow.interaction.routing.model import train

    report = train(corpus_read(corpus), holdout=holdout, seed=0)
    out: dict[str, Any] = {
        "train_rows": report.train_rows,
        "test_rows": report.test_rows,
        "seconds": round(report.seconds, 1),
    }
    for name in ("category", "department"):
        accuracy = getattr(report, name)
        out[name] = None if accuracy is None else dict(accuracy.__dict__)
    return out


# --- the run -----------------------------------------------------------------------------------


def prepare(app: dict[str, str], *, procs: int) -> list[int]:
    """Migrate, seed the demo city (departments, staff with authenticators) and its hotline
    (categories, catalogue, time limits) if missing; the cases benchmark's service and
    residents."""
    print("• migrating; the demo city and its hotline", flush=True)
    login_home.manage(app, "migrate", "--noinput", "-v0")
    login_home.manage(app, "collectstatic", "--noinput", "-v0")
    import django

    django.setup()
    from onewindow.demo.hotline import demo_hotline_seed
    from onewindow.identity.models import User

    if not User.objects.filter(username=DISPATCHER).exists():
        login_home.manage(app, "seed_demo", "--residents", "2000", "--no-progress")
    demo_hotline_seed()
    return cases_bench.prepare(n_residents=max(procs * 2, 8))["residents"]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(results: dict[str, Any]) -> str:
    lines = [f"{results['requests']:,} requests loaded ({results['parts']:,} departments' parts)"]
    t = results["throughput"]
    sub, intake = t["submissions"]["per_second"], t["intake"]["per_second"]
    r = intake / sub if sub else 0.0
    results["intake_ratio"] = round(r, 3)
    lines += [
        "",
        f"{'':<34}{'per s':>9}{'p95 ms':>9}",
        f"{'case submissions':<34}{sub:>9.1f}{t['submissions']['p95_ms']:>9.1f}",
        f"{'request intake':<34}{intake:>9.1f}{t['intake']['p95_ms']:>9.1f}",
        f"intake ÷ submissions = {r:.3f}   "
        f"(target ≥ {INTAKE_TARGET}: {verdict(r >= INTAKE_TARGET)})",
    ]
    for group, title, base, rows in (
        (
            "selectors",
            "selectors, in the process",
            "pk_select",
            ("queue", "inbox", "awaiting_office", "inbox_overdue"),
        ),
        ("pages", "pages, under gunicorn", "pk_page", ("queue_page", "inbox_page")),
    ):
        data = results[group]
        floor = data[base]["p95_ms"]
        lines += ["", f"{title:<34}{'p95 ms':>9}{'÷ PK':>9}", f"{base:<34}{floor:>9.2f}"]
        for name in rows:
            p95 = data[name]["p95_ms"]
            ratio = p95 / floor if floor else 0.0
            results.setdefault("p95_ratios", {})[name] = round(ratio, 2)
            target = name in ("queue", "inbox", "queue_page", "inbox_page")
            mark = f"   (≤ {P95_TARGET:g}: {verdict(ratio <= P95_TARGET)})" if target else ""
            lines.append(f"{name:<34}{p95:>9.2f}{ratio:>9.2f}{mark}")
    c = results["classifier"]
    lines += ["", f"routing: trained on {c['train_rows']:,}, held back {c['test_rows']:,}"]
    for name in ("category", "department"):
        a = c[name]
        if a:
            lines.append(
                f"  {name:<11} top-1 {a['top1']:.3f}  top-3 {a['top3']:.3f}   majority "
                f"baseline top-1 {a['baseline_top1']:.3f}  top-3 {a['baseline_top3']:.3f}"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="requests to load")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows, short runs")
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--samples", type=int, default=300, help="selector calls each")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if args.quick:
        args.rows, args.seconds, args.rounds, args.samples = QUICK_ROWS, 4, 1, 50
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    env, name = pg_env(url)
    ensure_database(env, name)
    app = login_home.app_env(url)
    os.environ.update(
        {k: app[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "ONEWINDOW_VAR_DIR")}
    )
    residents = prepare(app, procs=args.procs)
    from django.db import connection

    from onewindow.interaction.models import Assignment

    print(f"• {args.rows:,} requests", flush=True)
    generated = interaction_data.generate(rows=args.rows)
    if generated["seconds"]:
        print("• VACUUM ANALYZE", flush=True)
        with connection.cursor() as cur:
            cur.execute("VACUUM (ANALYZE) interaction_request, interaction_assignment")
    results: dict[str, Any] = {
        "requests": generated["requests"],
        "generation_seconds": generated["seconds"],
        "parts": Assignment.objects.count(),
    }
    department, handler = busiest_department()
    results["department_id"] = department
    results["throughput"] = throughput(
        residents, procs=args.procs, seconds=args.seconds, rounds=args.rounds
    )
    print("• selectors", flush=True)
    results["selectors"] = selector_latencies(department_id=department, samples=args.samples)
    results["pages"] = page_latencies(
        app,
        handler=handler,
        seconds=args.seconds,
        connections=args.connections,
        workers=args.workers,
    )
    print("• routing accuracy", flush=True)
    results["classifier"] = classifier()
    print()
    print(report(results))
    out = ROOT / "bench" / "results" / f"interaction-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print(f"\nresults: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
