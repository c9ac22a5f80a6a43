"""`make demo` end to end: rundemo migrates, seeds, serves, runs the Celery worker on the
SQLite broker (kombu's SQLAlchemy transport), and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

T = TypeVar("T")
pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="process supervision test")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(check: Callable[[], T | None], timeout: float) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except (httpx.HTTPError, sqlite3.Error):
            result = None
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError("timed out")


def test_rundemo_serves_delivers_sms_through_the_worker_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    db = tmp_path / "onewindow.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "ONEWINDOW_ENV"}
    }
    env.update(ONEWINDOW_DEMO="1", ONEWINDOW_VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{db}")
    log = (tmp_path / "rundemo.log").open("wb")
    onewindow = Path(sys.executable).parent / "onewindow"
    proc = subprocess.Popen(
        [
            str(onewindow),
            "rundemo",
            "--port",
            str(port),
            "--residents",
            "30",
            "--companies",
            "2",
            "--web-workers",
            "1",
            "--worker-concurrency",
            "1",
            # Free ports, so a demo already running (on 8077/8078) does not stop this one.
            "--pay-sandbox-port",
            str(_free_port()),
            "--courier-sandbox-port",
            str(_free_port()),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        health = _wait_for(lambda: httpx.get(f"{base}/healthz", timeout=5), timeout=300)
        assert health.status_code == 200, health.text
        assert health.json()["checks"]["queue"]["ok"] is True

        sent = httpx.post(f"{base}/api/v1/auth/sms-code", json={"phone": "13800000001"}, timeout=10)
        assert sent.status_code == 202, sent.text

        def delivered() -> bool:
            with sqlite3.connect(db) as conn:
                rows = conn.execute("SELECT status FROM notify_smsmessage").fetchall()
            return bool(rows) and rows[0][0] in {"sent", "delivered"}

        assert _wait_for(delivered, timeout=60)
        outbox = httpx.get(f"{base}/notify/sms-outbox/", timeout=5)
        assert outbox.status_code == 200 and "验证码" in outbox.text
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        log.close()
    output = (tmp_path / "rundemo.log").read_text(errors="replace")
    assert code == 0, output[-3000:]
    assert "13800000001" in output and "gaj_clerk" in output  # the banner
    assert "Demo stopped." in output
