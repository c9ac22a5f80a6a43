"""A crashed worker loses nothing and nothing is sent twice: real Celery workers on the
embedded broker (kombu's SQLAlchemy transport over SQLite) and a database file shared
with them; the first worker is killed (SIGKILL) after the gateway took a message and
before the row says so; the sweep queues what the dead worker held, a second worker sends
the rest, and every notification reached the gateway's handset exactly once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

DEADLINE = 120.0  # seconds: migrating a fresh database and starting workers on 2 cores
MESSAGES = 6

PRODUCE = """
import django
django.setup()
from django.db import transaction
from onewindow.notify import services
with transaction.atomic():
    for i in range({count}):
        services.notify_tell(
            recipient=services.Recipient(user_id=None, phone="1380013800%d" % i),
            template="notice",
            params={{"text": "第%d条通知" % i}},
            kind="notice",
            source_key="crash:%d" % i,
            channels={{"sms"}},
        )
"""

SWEEP = """
import datetime
import django
django.setup()
from django.utils import timezone
from onewindow.notify import services
later = timezone.now() + datetime.timedelta(minutes=10)
print("requeued", services.sms_retry_pending(now=later))
"""


def wait_for(what: str, predicate: Any, *, log: Path | None = None) -> Any:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log is not None and log.exists() else ""
    pytest.fail(f"timed out waiting for {what}\n{tail}")


@dataclass
class Scene:
    folder: Path
    env: dict[str, str]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def database(self) -> Path:
        return self.folder / "notify.sqlite3"

    def run(self, code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def worker(self, name: str, **extra: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = self.folder / f"{name}.log"
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "onewindow.notify.tests.worker_app",
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
                command,
                cwd=self.folder,
                env=self.env | extra,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.workers.append(process)
        wait_for(f"{name} to be ready", lambda: b" ready." in log.read_bytes(), log=log)
        return process, log

    def rows(self) -> dict[int, tuple[str, int]]:
        with sqlite3.connect(self.database) as db:
            found = db.execute("SELECT id, status, attempts FROM notify_smsmessage").fetchall()
        return {row_id: (status, attempts) for row_id, status, attempts in found}

    def handovers(self) -> list[dict[str, Any]]:
        log = self.folder / "sent.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


@pytest.fixture
def scene(tmp_path: Path) -> Iterator[Scene]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CELERY_TASK_ALWAYS_EAGER", "REDIS_URL", "PYTEST_CURRENT_TEST"}
    }
    (tmp_path / "var").mkdir()
    env.update(
        DJANGO_SETTINGS_MODULE="onewindow.config.base",
        ONEWINDOW_ENV="development",
        DEBUG="0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'notify.sqlite3'}",
        CELERY_BROKER_URL=f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}",
        ONEWINDOW_VAR_DIR=str(tmp_path / "var"),
        ONEWINDOW_SMS_PROVIDER="fake",
        ONEWINDOW_TEST_NOTIFY_DIR=str(tmp_path),
    )
    running = Scene(folder=tmp_path, env=env)
    migrate = subprocess.run(
        [sys.executable, "-m", "onewindow.manage", "migrate", "--noinput", "-v", "0"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE * 2,
    )
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    try:
        yield running
    finally:
        for process in running.workers:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(scene: Scene) -> None:
    first, first_log = scene.worker("first", ONEWINDOW_TEST_HANG_AFTER="2")
    scene.run(PRODUCE.format(count=MESSAGES))
    assert len(scene.rows()) == MESSAGES  # the rows exist before any send
    # The first worker sent one message, handed the second to the gateway and hangs there.
    handed = wait_for(
        "the second handover", lambda: list(scene.folder.glob("handed-*")), log=first_log
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    held = int(handed[0].read_text())
    rows = scene.rows()
    assert rows[held] == ("sending", 1)  # the gateway has it; our row does not know yet
    assert sum(1 for status, _ in rows.values() if status == "delivered") == 1

    (scene.folder / "release").write_text("go")
    scene.worker("second")
    # Some minutes later the sweep finds the claim stale and queues it again (and the
    # rows still waiting in the broker: their second message finds them taken).
    assert scene.run(SWEEP).startswith("requeued")

    def all_delivered() -> bool:
        return all(status == "delivered" for status, _ in scene.rows().values())

    wait_for("every message delivered", all_delivered, log=scene.folder / "second.log")
    handovers = scene.handovers()
    delivered = Counter(h["id"] for h in handovers if not h["repeat"])
    assert delivered == Counter({row_id: 1 for row_id in scene.rows()})  # exactly once each
    # the one the dead worker held was handed over again with the same id (the gateway
    # answered it as the repeat it was), and no other message was handed over twice
    assert [h["id"] for h in handovers if h["repeat"]] == [held]
    assert scene.rows()[held] == ("delivered", 2)
