"""Benchmark: payment callbacks processed per second, as a fraction of pgbench TPS measured in
the same run on the same PostgreSQL.

gunicorn serves OneWindow over loopback; client threads post signed sandbox notifications to
``/payments/notify/sandbox/``: every order gets its TRADE_SUCCESS and one duplicate (the
second is verified, logged and ignored), so half the callbacks credit and half are replays.
Each callback verifies the HMAC, checks app id and amount, runs the conditional UPDATE, logs a
PaymentEvent, issues the receipt (first time) and writes an audit row — in one transaction.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onewindow_bench \\
        .venv/bin/python bench/payments_callbacks.py [--quick] [--threads 8] [--workers 4]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

import httpx  # noqa: E402

from bench.login_home import app_env, gunicorn, manage, percentile, threaded_load  # noqa: E402
from bench.run import DEFAULT_URL, ensure_database, pg_env, pgbench  # noqa: E402

PREPARE = """
import json, django
django.setup()
from onewindow.workflow import compile_process, default_process
from onewindow.cases.models import Case
from onewindow.catalog.models import Service, ServiceVersion
from onewindow.payments.models import PaymentOrder
from onewindow.identity.models import Department, Person
from onewindow.testing.factories import DepartmentFactory, PersonFactory
run = "{run}"
dept = Department.objects.first() or DepartmentFactory()
service = Service.objects.create(code="bench-pay-" + run, name="缴费压测", kind="personal",
                                 department=dept)
version = ServiceVersion.objects.create(
    service=service, number=1, definition={{"code": service.code, "kind": "personal"}},
    form_schema={{"type": "object"}}, process_spec={{}}, checksum=run)
person = Person.objects.filter(user__isnull=False).first() or PersonFactory()
case = Case.objects.create(service_version=version, created_by=person.user,
                           applicant_person=person, number="BENCH" + run, status="in_progress")
orders = PaymentOrder.objects.bulk_create(
    PaymentOrder(case=case, fee_code=f"f{{i}}", subject="压测", amount_fen=1500,
                 gateway="sandbox", out_trade_no=f"OWB{{run}}{{i:07d}}")
    for i in range({count}))
print(json.dumps([o.out_trade_no for o in orders]))
"""


def prepare(env: dict[str, str], count: int) -> list[str]:
    manage(env, "migrate", "--noinput", "-v0")
    out = subprocess.run(
        [sys.executable, "-c", PREPARE.format(count=count, run=str(int(time.time())))],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return list(json.loads(out.strip().splitlines()[-1]))


def signed(no: str, i: int) -> dict[str, str]:
    from onewindow.payments.conf import DEV_SANDBOX_KEY
    from onewindow.payments.providers.sandbox import hmac_sign

    params = {
        "app_id": "onewindow-demo",
        "notify_id": f"bench-{no}-{i}",
        "out_trade_no": no,
        "trade_no": f"SBX{no}",
        "total_amount": "15.00",
        "trade_status": "TRADE_SUCCESS",
        "sign_type": "HMAC-SHA256",
    }
    params["sign"] = hmac_sign(
        params, os.environ.get("ONEWINDOW_PAYMENTS_SANDBOX_KEY", DEV_SANDBOX_KEY)
    )
    return params


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--skip-pgbench", action="store_true")
    args = parser.parse_args()
    seconds = 5 if args.quick else 20
    orders = 500 if args.quick else 4000

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    pg, dbname = pg_env(url)
    ensure_database(pg, dbname)
    results: dict[str, object] = {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    if not args.skip_pgbench:
        print("• pgbench TPC-B", flush=True)
        results["pgbench"] = pgbench(pg, scale=10, clients=8, threads=2, seconds=seconds)

    env = app_env(url)
    print(f"• preparing {orders} payment orders", flush=True)
    numbers = prepare(env, orders)
    bodies = [signed(no, k) for no in numbers for k in (0, 1)]  # each success + one replay
    local = threading.local()
    with gunicorn(env, workers=args.workers) as base:
        endpoint = f"{base}/payments/notify/sandbox/"

        def job(i: int) -> None:
            client = getattr(local, "client", None)
            if client is None:
                client = local.client = httpx.Client(timeout=30)
            response = client.post(endpoint, data=bodies[i])
            if response.status_code != 200 or response.text != "success":
                raise RuntimeError(f"{response.status_code} {response.text[:80]}")

        print(f"• {len(bodies)} callbacks, {args.threads} threads, ≤ {seconds * 3}s", flush=True)
        latencies, errors, elapsed = threaded_load(
            job, total=len(bodies), threads=args.threads, time_limit=seconds * 3
        )
    per_second = len(latencies) / elapsed if elapsed else 0.0
    tps = (results.get("pgbench") or {}).get("tps")  # type: ignore[union-attr]
    results["callbacks"] = {
        "done": len(latencies),
        "errors": errors,
        "per_second": round(per_second, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
    }
    results["callbacks_per_pgbench_tps"] = round(per_second / tps, 3) if tps else None
    print(json.dumps(results, indent=2, ensure_ascii=False))
    out = ROOT / "bench" / "results" / f"payments-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
