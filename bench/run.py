"""``make bench``: the foundation benchmark, in one run, on PostgreSQL.

(a) pgbench TPC-B on a scratch database: how fast this machine's database is;
(b) OneWindow under gunicorn: an empty view, the resident login flow, the home page.
Prints a table and the ratios, writes JSON to bench/results/.

    DATABASE_URL=postgres://user@host:5432/dbname .venv/bin/python bench/run.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import login_home  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/onewindow_bench"
SCRATCH_DB = "onewindow_pgbench"


def pg_env(url: str) -> tuple[dict[str, str], str]:
    """libpq environment for the server in ``url``, and the database name."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit(f"bench needs PostgreSQL; DATABASE_URL is {parts.scheme}://…")
    env = dict(os.environ)
    env.update(
        PGHOST=parts.hostname or "127.0.0.1",
        PGPORT=str(parts.port or 5432),
        PGUSER=parts.username or "postgres",
    )
    if parts.password:
        env["PGPASSWORD"] = parts.password
    return env, (parts.path.lstrip("/") or "onewindow_bench")


def psql(env: dict[str, str], sql: str, *, db: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-X", "-q", "-At", "-d", db, "-c", sql],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def ensure_database(env: dict[str, str], name: str, *, fresh: bool = False) -> None:
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"unexpected database name {name!r}")
    if fresh:
        psql(env, f'DROP DATABASE IF EXISTS "{name}"')
    exists = psql(env, f"SELECT 1 FROM pg_database WHERE datname = '{name}'")  # noqa: S608
    if exists != "1":
        psql(env, f'CREATE DATABASE "{name}"')


def pgbench(env: dict[str, str], *, scale: int, clients: int, threads: int, seconds: int) -> dict:
    ensure_database(env, SCRATCH_DB, fresh=True)
    print(f"• pgbench -i -s {scale} ({SCRATCH_DB})", flush=True)
    subprocess.run(
        ["pgbench", "-i", "-q", "-s", str(scale), SCRATCH_DB],
        env=env,
        check=True,
        capture_output=True,
    )
    print(f"• pgbench -c {clients} -j {threads} -T {seconds}", flush=True)
    out = subprocess.run(
        ["pgbench", "-c", str(clients), "-j", str(threads), "-T", str(seconds), SCRATCH_DB],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    if found is None:
        raise RuntimeError(f"could not read TPS from pgbench output:\n{out}")
    tps = float(found[1])
    latency = re.search(r"latency average = ([\d.]+) ms", out)
    psql(env, f'DROP DATABASE IF EXISTS "{SCRATCH_DB}"')
    return {
        "scale": scale,
        "clients": clients,
        "threads": threads,
        "seconds": seconds,
        "tps": tps,
        "latency_avg_ms": float(latency[1]) if latency else None,
    }


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 4) if a and b else None


def table(results: dict) -> str:
    rows = [("measurement", "rate", "p50 ms", "p95 ms", "errors")]
    pg = results.get("pgbench")
    if pg:
        rows.append(("pgbench TPC-B (tps)", f"{pg['tps']:.0f}", "", "", ""))
    app = results.get("app", {})
    for key, label in (
        ("empty", "empty view (req/s)"),
        ("login_flow", "login flow (flows/s)"),
        ("home", "home, logged in (req/s)"),
    ):
        r = app.get(key)
        if r:
            rows.append(
                (
                    label,
                    f"{r['rps']:.1f}",
                    f"{r['p50_ms']:.1f}",
                    f"{r['p95_ms']:.1f}",
                    str(r["errors"]),
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    out = "\n".join(lines)
    r = results.get("ratios", {})
    out += "\n\nratios:\n"
    out += f"  login flows/s ÷ pgbench TPS       = {r.get('login_flows_per_pgbench_tps')}\n"
    out += f"  home req/s ÷ empty-view req/s     = {r.get('home_per_empty')}\n"
    out += f"  p95 login flow / home / empty (ms) = {r.get('p95_ms')}\n"
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs (smoke test)")
    parser.add_argument("--skip-pgbench", action="store_true")
    parser.add_argument("--skip-app", action="store_true")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    env, dbname = pg_env(url)
    for tool in ("psql", "pgbench"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} not found: install the PostgreSQL client tools")
    ensure_database(env, dbname)

    seconds = 5 if args.quick else 20
    results: dict = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "postgres": psql(env, "SHOW server_version"),
        },
        "database": f"{env['PGHOST']}:{env['PGPORT']}/{dbname}",
    }
    if not args.skip_pgbench:
        results["pgbench"] = pgbench(env, scale=10, clients=8, threads=2, seconds=seconds)
    if not args.skip_app:
        results["app"] = login_home.run(
            url,
            workers=args.workers,
            seconds=5 if args.quick else 15,
            flows=200 if args.quick else 1500,
            flow_time_limit=20 if args.quick else 60,
        )

    app = results.get("app", {})
    tps = results.get("pgbench", {}).get("tps")
    results["ratios"] = {
        "login_flows_per_pgbench_tps": ratio(app.get("login_flow", {}).get("rps"), tps),
        "home_per_empty": ratio(app.get("home", {}).get("rps"), app.get("empty", {}).get("rps")),
        "p95_ms": {
            k: round(app[k]["p95_ms"], 1) for k in ("login_flow", "home", "empty") if k in app
        },
    }
    print()
    print(table(results))
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"results: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
