"""Citizen-page benchmark on PostgreSQL, one run, at city scale (issue targets in brackets):

(a) bulk data: 1 M real-name residents and 5 M cases (bench/citizen_data.py; topped up, not
    regenerated, on a second run);
(b) gunicorn serving the platform: the empty view, a signed-in trivial view (the floor of
    any resident's page: session and account loaded, nothing else), then the resident home
    page ``/`` and ``GET /api/v1/me/home``, each request as a different random resident
    (1,000 sessions):
    throughput ÷ the empty view's [≥ 0.30] and p95 ÷ the empty view's p95 [≤ 5].

    .venv/bin/python bench/citizen_page.py [--residents 1000000] [--cases-per-resident 5]
        [--quick]      # 50,000 residents, 5 s loads: a smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench import citizen_data, login_home  # noqa: E402
from bench.run import ensure_database, pg_env  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/onewindow_bench_citizen"


def page_load(
    url: str, cookies: list[str], *, seconds: int, connections: int, accept: str = "*/*"
) -> login_home.LoadResult:
    """GET load where each request is a different resident (their own session cookie)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(cookies))
        path = handle.name
    try:
        if shutil.which("wrk"):
            env = dict(
                os.environ,
                BENCH_COOKIES_FILE=path,
                BENCH_ACCEPT=accept,
                BENCH_REPORT_LUA=str(ROOT / "bench" / "wrk_report.lua"),
            )
            out = subprocess.run(
                [
                    "wrk",
                    "-t2",
                    f"-c{connections}",
                    f"-d{seconds}s",
                    "--timeout",
                    "10s",
                    "-s",
                    str(ROOT / "bench" / "wrk_sessions.lua"),
                    url,
                ],
                env=env,
                capture_output=True,
                text=True,
                check=True,
                timeout=seconds + 60,
            ).stdout
            line = next(x for x in out.splitlines() if x.startswith("BENCH_JSON "))
            data = json.loads(line.removeprefix("BENCH_JSON "))
            non_2xx = data.pop("non_2xx", 0)
            if non_2xx:
                print(f"  {non_2xx} answers were not 2xx", file=sys.stderr)
            return login_home.LoadResult(tool="wrk", **data)
        return login_home.python_get(url, seconds=seconds, connections=connections, cookies=cookies)
    finally:
        os.unlink(path)


def check_pages(base: str, cookies: list[str]) -> None:
    """Each page answers 200 for a sampled resident before it is measured (a benchmark of
    redirects to the login page would measure nothing)."""
    import httpx

    for path in ("/bench/signed-in", "/", "/api/v1/me/home"):
        response = httpx.get(base + path, headers={"Cookie": cookies[0]}, timeout=30)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code} for a sampled resident")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--cases-per-resident", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.residents, args.seconds, args.sessions = 50_000, 5, 200
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    env, name = pg_env(url)
    ensure_database(env, name)
    app = login_home.app_env(url)
    os.environ.update(
        {k: app[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "ONEWINDOW_VAR_DIR")}
    )
    print("• migrating and seeding the demo city (services, departments)", flush=True)
    login_home.manage(app, "migrate", "--noinput", "-v0")
    login_home.manage(app, "collectstatic", "--noinput", "-v0")
    import django

    django.setup()
    from django.db import connection

    from onewindow.catalog.models import Service

    if not Service.objects.exists():
        login_home.manage(app, "seed_demo", "--residents", "2000", "--no-progress")
        login_home.manage(app, "service_import", str(ROOT / "catalog"))
    print(
        f"• bulk data: {args.residents:,} residents × {args.cases_per_resident} cases", flush=True
    )
    generated = citizen_data.generate(
        residents=args.residents, cases_per_resident=args.cases_per_resident
    )
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM cases_case")
        case_count = int(cur.fetchone()[0])
    cookies = citizen_data.session_cookies(citizen_data.sample_users(args.sessions))
    connection.close()
    results: dict[str, Any] = {
        "residents": generated["residents"],
        "cases": case_count,
        "generation_seconds": generated["seconds"],
        "sessions": len(cookies),
    }
    with login_home.gunicorn(app, workers=args.workers) as base:
        check_pages(base, cookies)
        login_home.get_load(f"{base}/bench/empty", seconds=2, connections=args.connections)
        print("• empty view", flush=True)
        results["empty"] = login_home.get_load(
            f"{base}/bench/empty", seconds=args.seconds, connections=args.connections
        ).as_dict()
        for key, path in (
            ("signed_in", "/bench/signed-in"),
            ("home", "/"),
            ("api_home", "/api/v1/me/home"),
        ):
            print(f"• {path} as random residents", flush=True)
            page_load(f"{base}{path}", cookies, seconds=2, connections=args.connections)
            results[key] = page_load(
                f"{base}{path}", cookies, seconds=args.seconds, connections=args.connections
            ).as_dict()
    empty = results["empty"]
    print()
    print(f"{results['residents']:,} residents, {case_count:,} cases")
    print(f"{'':<22}{'req/s':>10}{'p95 ms':>10}{'÷ empty req/s':>16}{'p95 ÷ empty':>14}")
    print(f"{'empty view':<22}{empty['rps']:>10.1f}{empty['p95_ms']:>10.1f}")
    rows = (
        ("signed_in", "signed in (floor)"),
        ("home", "home page /"),
        ("api_home", "GET /api/v1/me/home"),
    )
    for key, label in rows:
        row = results[key]
        throughput = row["rps"] / empty["rps"] if empty["rps"] else 0.0
        latency = row["p95_ms"] / empty["p95_ms"] if empty["p95_ms"] else 0.0
        results[f"{key}_throughput_ratio"] = round(throughput, 3)
        results[f"{key}_p95_ratio"] = round(latency, 2)
        verdict = "met" if throughput >= 0.30 and latency <= 5 else "MISSED"
        print(
            f"{label:<22}{row['rps']:>10.1f}{row['p95_ms']:>10.1f}{throughput:>16.3f}"
            f"{latency:>14.2f}  (targets ≥ 0.30, ≤ 5: {verdict})"
        )
    floor = results["signed_in"]["rps"]
    if floor:
        for key, label in rows[1:]:
            print(f"{label:<22} ÷ the signed-in floor: {results[key]['rps'] / floor:.3f}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"citizen-page-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"\nresults: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
