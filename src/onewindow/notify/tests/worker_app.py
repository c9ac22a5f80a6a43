"""The Celery app a real worker process runs in ``test_crash``: the project's own app, with
the fake SMS gateway recording what it was handed in a file, as an idempotent vendor does:
a message id it has already taken is answered again with the same message id and not sent
to the handset twice (our row id is the idempotency key every send carries).

``celery -A onewindow.notify.tests.worker_app worker`` with ``ONEWINDOW_TEST_NOTIFY_DIR``
set: every handover is a line in ``sent.jsonl`` (``{"id", "pid", "repeat"}``); with
``ONEWINDOW_TEST_HANG_AFTER`` set to N, the N-th handover of this process writes
``handed-<pid>`` after the gateway took the message and then waits (at most a minute) for
``release``, so the test can kill the worker between the vendor's answer and our update."""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path

from onewindow.config.celery import app
from onewindow.notify.providers.base import SmsRequest, SmsResult
from onewindow.notify.providers.fake import FakeSmsProvider

WAIT_SECONDS = 60.0
_handovers = 0


def _recording_send(self: FakeSmsProvider, request: SmsRequest) -> SmsResult:
    global _handovers
    folder = Path(os.environ["ONEWINDOW_TEST_NOTIFY_DIR"])
    log = folder / "sent.jsonl"
    with (folder / "gateway.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        taken = (
            {json.loads(line)["id"] for line in log.read_text().splitlines() if line.strip()}
            if log.exists()
            else set()
        )
        repeat = request.message_id in taken
        with log.open("a") as out:
            out.write(
                json.dumps({"id": request.message_id, "pid": os.getpid(), "repeat": repeat}) + "\n"
            )
    _handovers += 1
    if str(_handovers) == os.environ.get("ONEWINDOW_TEST_HANG_AFTER", ""):
        (folder / f"handed-{os.getpid()}").write_text(str(request.message_id))
        deadline = time.monotonic() + WAIT_SECONDS
        while not (folder / "release").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    return SmsResult(
        accepted=True, provider_message_id=f"fake-{request.message_id}", delivered=True
    )


FakeSmsProvider.send = _recording_send  # type: ignore[method-assign]

__all__ = ["app"]
