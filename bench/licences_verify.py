"""Benchmark: licence verifications per second and p95 on ``POST /api/v1/licences/verify``.

gunicorn serves OneWindow over loopback (as ``bench/login_home.py`` does); client threads
post credentials for a fixed time. The mix: half Ed25519 and half SM2 licences, presented as
the compact JWS (signature check + record comparison + status-list bit), plus one in ten
presented by credential id only.

    .venv/bin/python -m bench.licences_verify [--seconds 20] [--threads 8] [--workers 2]

``DATABASE_URL`` picks the database (default: a fresh SQLite file under var/bench). Results
are printed and written to bench/results/licences-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time

import httpx

from bench.login_home import ROOT, app_env, gunicorn, manage, percentile, threaded_load

PREPARE = """
import json, django
django.setup()
from onewindow.audit.services import Actor
from onewindow.licences.models import Licence
from onewindow.licences.services import licence_issue
from onewindow.identity.models import Person
from onewindow.testing.factories import PersonFactory
holder = Person.objects.order_by("pk").first() or PersonFactory()
want = int({count})
have = list(Licence.objects.values_list("jws", "credential_id")[:want])
for i in range(len(have), want):
    code = "business-licence" if i % 2 else "hk-macau-endorsement"
    lic = licence_issue(actor=Actor.system("bench"), licence_type_code=code,
                        holder_person=holder, claims={{"bench": i}})
    have.append((lic.jws, lic.credential_id))
print(json.dumps([[jws, str(cid)] for jws, cid in have]))
"""


def prepare(env: dict[str, str], count: int) -> list[tuple[str, str]]:
    manage(env, "migrate", "--noinput", "-v0")
    out = subprocess.run(
        [sys.executable, "-c", PREPARE.format(count=count)],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return [(jws, cid) for jws, cid in json.loads(out.strip().splitlines()[-1])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--licences", type=int, default=200)
    args = parser.parse_args()

    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:  # a fresh SQLite file each run
        db = var / "licences.sqlite3"
        for leftover in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            leftover.unlink(missing_ok=True)
        database_url = f"sqlite:///{db}"
    env = app_env(database_url)
    print(f"• preparing {args.licences} licences ({database_url.split('://')[0]})", flush=True)
    credentials = prepare(env, args.licences)
    local = threading.local()

    with gunicorn(env, workers=args.workers) as base:
        url = f"{base}/api/v1/licences/verify"

        def job(i: int) -> None:
            client = getattr(local, "client", None)
            if client is None:
                client = local.client = httpx.Client(timeout=10)
            jws, cid = credentials[i % len(credentials)]
            presented = f"urn:uuid:{cid}" if i % 10 == 9 else jws
            response = client.post(url, json={"credential": presented})
            response.raise_for_status()
            result = response.json()["result"]
            if result != "valid":
                raise RuntimeError(f"unexpected result {result}")

        job(0)  # warm up one worker
        print(
            f"• {args.threads} client threads for {args.seconds}s against {args.workers} "
            "gunicorn workers",
            flush=True,
        )
        latencies, errors, elapsed = threaded_load(
            job, total=10**9, threads=args.threads, time_limit=args.seconds
        )
    report = {
        "benchmark": "licences_verify",
        "server": f"gunicorn, {args.workers} sync workers",
        "client": f"python httpx, {args.threads} threads (same machine)",
        "database": database_url.split("://")[0],
        "licences": len(credentials),
        "verifications": len(latencies),
        "errors": errors,
        "seconds": round(elapsed, 2),
        "verifications_per_s": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 50), 2),
        "p95_ms": round(percentile(latencies, 95), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
    }
    print(json.dumps(report, indent=2))
    out = ROOT / "bench" / "results" / f"licences-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
