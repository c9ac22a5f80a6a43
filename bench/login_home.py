"""Application benchmark: gunicorn serving OneWindow, driven over loopback.

Measures (1) an empty Django view behind the full middleware stack, (2) the resident login
flow — send SMS code → read the code from the database → verify → GET the home page — as
flows per second with p95, and (3) the home page alone for a logged-in resident.

Run through ``bench/run.py`` (``make bench``); it sets the environment this module expects.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEED = 2025


@dataclass
class LoadResult:
    requests: int
    seconds: float
    rps: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    tool: str

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def app_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url,
        ONEWINDOW_VAR_DIR=str(ROOT / "var" / "bench"),
        ONEWINDOW_LOG_FORMAT="text",
        # the checkout's own code (src/) before any installed copy of the package
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")])
        ),
    )
    env.pop("ONEWINDOW_DEMO", None)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    """Run a management command; return the first line it printed."""
    out = subprocess.run(
        [str(BIN / "onewindow"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return (out.strip().splitlines() or [""])[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "onewindow.config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--backlog",
            "2048",
            "--no-control-socket",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 90  # four workers importing on a busy machine
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not become healthy")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def wrk_get(url: str, *, seconds: int, connections: int, cookie: str = "") -> LoadResult:
    """Fixed-duration GET load with wrk (C, two threads) and a p95 from its histogram."""
    env = dict(os.environ, BENCH_COOKIE=cookie)
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(ROOT / "bench" / "wrk_report.lua"),
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
    data.pop("non_2xx", None)
    return LoadResult(tool="wrk", **data)


def threaded_load(
    job: Callable[[int], None], *, total: int, threads: int, time_limit: float
) -> tuple[list[float], int, float]:
    """Run ``job(i)`` for i in range(total) on ``threads`` threads, stopping early at the time
    limit. Returns per-job latencies (ms), the error count and the elapsed seconds."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))
    deadline = time.monotonic() + time_limit

    def worker() -> None:
        nonlocal errors
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            started = time.perf_counter()
            try:
                job(i)
            except Exception as exc:  # counted, reported, not fatal
                with lock:
                    errors += 1
                    if errors <= 3:
                        print(f"  error in job {i}: {exc!r}", file=sys.stderr)
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return latencies, errors, time.perf_counter() - started


def python_get(
    url: str, *, seconds: int, connections: int, cookie: str = "", cookies: list[str] | None = None
) -> LoadResult:
    """Fallback GET load when wrk is not installed (slower: the client competes for CPU).
    With ``cookies``, request ``i`` carries ``cookies[i % len(cookies)]`` (a different
    resident each time)."""
    local = threading.local()
    rotation = cookies or ([cookie] if cookie else [])

    def job(i: int) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(timeout=10)
        headers = {"Cookie": rotation[i % len(rotation)]} if rotation else {}
        client.get(url, headers=headers).raise_for_status()

    lat, errors, elapsed = threaded_load(job, total=10**9, threads=connections, time_limit=seconds)
    return LoadResult(
        requests=len(lat),
        seconds=elapsed,
        rps=len(lat) / elapsed,
        errors=errors,
        p50_ms=percentile(lat, 50),
        p95_ms=percentile(lat, 95),
        p99_ms=percentile(lat, 99),
        tool="python-threads",
    )


def get_load(url: str, *, seconds: int, connections: int, cookie: str = "") -> LoadResult:
    if shutil.which("wrk"):
        return wrk_get(url, seconds=seconds, connections=connections, cookie=cookie)
    return python_get(url, seconds=seconds, connections=connections, cookie=cookie)


# --- the resident login flow -------------------------------------------------------------------


def fresh_phones(residents: int, count: int) -> list[str]:
    """Phones of seeded residents who never logged in (not the printed demo accounts)."""
    import itertools

    from onewindow.core.pii import phone_index
    from onewindow.demo import data
    from onewindow.demo.population import resident_stream
    from onewindow.identity.models import Person

    skip = len(data.DEMO_RESIDENTS)
    rows = itertools.islice(resident_stream(SEED), skip, residents)
    phones: list[str] = []
    while len(phones) < count:
        batch = {phone_index(row.phone): row.phone for row in itertools.islice(rows, 2000)}
        if not batch:
            break
        unused = Person.objects.filter(phone_bidx__in=batch, user__isnull=True)
        phones += [batch[b] for b in unused.values_list("phone_bidx", flat=True) if b]
    return phones[:count]


def latest_code(phone: str) -> str:
    """The code of the newest SMS to ``phone`` (what the resident reads on their phone)."""
    from onewindow.core.pii import phone_index
    from onewindow.notify.models import SmsMessage

    message = SmsMessage.objects.filter(phone_bidx=phone_index(phone), template="login_code")
    params = message.order_by("-created_at", "-pk").values_list("params", flat=True).first()
    if params is None:
        raise RuntimeError("no SMS found for the phone")
    return str(json.loads(params)["code"])


def login_flows(
    base: str, phones: list[str], *, threads: int, time_limit: float
) -> tuple[LoadResult, list[str], dict[str, dict[str, float]]]:
    cookies: list[str] = []
    steps: dict[str, list[float]] = {"sms_code": [], "read_code": [], "sms_login": [], "home": []}

    def timed(step: str, started: float) -> float:
        now = time.perf_counter()
        steps[step].append((now - started) * 1000)  # list.append is atomic
        return now

    def flow(i: int) -> None:
        phone = phones[i]
        with httpx.Client(base_url=base, timeout=10) as client:
            t = time.perf_counter()
            r = client.post("/api/v1/auth/sms-code", json={"phone": phone})
            if r.status_code != 202:
                raise RuntimeError(f"sms-code {r.status_code}: {r.text[:200]}")
            t = timed("sms_code", t)
            code = latest_code(phone)
            t = timed("read_code", t)
            r = client.post("/api/v1/auth/sms-login", json={"phone": phone, "code": code})
            if r.status_code != 200:
                raise RuntimeError(f"sms-login {r.status_code}: {r.text[:200]}")
            t = timed("sms_login", t)
            r = client.get("/")
            if r.status_code != 200:
                raise RuntimeError(f"home {r.status_code}")
            timed("home", t)
            if len(cookies) < 16:
                cookies.append("; ".join(f"{k}={v}" for k, v in client.cookies.items()))

    lat, errors, elapsed = threaded_load(
        flow, total=len(phones), threads=threads, time_limit=time_limit
    )
    from django.db import connections

    connections.close_all()
    print(
        "  flow steps p50/p95 ms: "
        + ", ".join(
            f"{name} {percentile(v, 50):.0f}/{percentile(v, 95):.0f}" for name, v in steps.items()
        ),
        flush=True,
    )
    return (
        LoadResult(
            requests=len(lat),
            seconds=elapsed,
            rps=len(lat) / elapsed if elapsed else 0.0,
            errors=errors,
            p50_ms=percentile(lat, 50),
            p95_ms=percentile(lat, 95),
            p99_ms=percentile(lat, 99),
            tool=f"python-threads x{threads}",
        ),
        cookies,
        {
            name: {"p50_ms": percentile(v, 50), "p95_ms": percentile(v, 95)}
            for name, v in steps.items()
        },
    )


def run(
    database_url: str,
    *,
    residents: int = 20000,
    workers: int = 4,
    seconds: int = 15,
    connections: int = 8,
    flows: int = 1500,
    flow_threads: int = 8,
    flow_time_limit: float = 60.0,
) -> dict[str, object]:
    env = app_env(database_url)
    os.environ.update(
        {
            k: env[k]
            for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "ONEWINDOW_VAR_DIR", "PYTHONPATH")
        }
    )
    sys.path.insert(0, str(ROOT))
    print("• preparing the application database (migrate, collectstatic)", flush=True)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")

    import django

    django.setup()
    from django.db import connection

    from onewindow.identity.models import Person

    # Every flow logs in a seeded resident who has no account yet (their first login links
    # one), so runs can repeat without tripping the per-phone SMS limits: top up as needed.
    target = max(residents, Person.objects.filter(user__isnull=False).count() + flows + 500)
    connection.close()
    print(f"• seeding the demo city up to {target} residents", flush=True)
    print(
        "  "
        + manage(
            env, "seed_demo", "--residents", str(target), "--seed", str(SEED), "--no-progress"
        ),
        flush=True,
    )
    phones = fresh_phones(target, flows)
    connection.close()

    results: dict[str, object] = {
        "workers": workers,
        "connections": connections,
        "flow_threads": flow_threads,
    }
    with gunicorn(env, workers=workers) as base:
        print(f"• gunicorn ({workers} workers) at {base}", flush=True)
        get_load(f"{base}/bench/empty", seconds=2, connections=connections)  # warm-up
        print(f"• empty view: {seconds}s, {connections} connections", flush=True)
        results["empty"] = get_load(
            f"{base}/bench/empty", seconds=seconds, connections=connections
        ).as_dict()
        print(f"• login flows: up to {len(phones)} flows, {flow_threads} threads", flush=True)
        flow_result, cookies, flow_steps = login_flows(
            base, phones, threads=flow_threads, time_limit=flow_time_limit
        )
        results["login_flow"] = flow_result.as_dict()
        results["login_flow_steps"] = flow_steps
        if cookies:
            print(f"• home page (logged in): {seconds}s, {connections} connections", flush=True)
            results["home"] = get_load(
                f"{base}/", seconds=seconds, connections=connections, cookie=cookies[0]
            ).as_dict()
    return results
