"""The Celery app a real worker process runs in ``test_steps``: the project's own app, plus
the test's service-task action ``steps.check``, which blocks until the test lets it go (so
the test can kill the worker in the middle of the step).

``celery -A onewindow.cases.tests.worker_app worker`` with ``ONEWINDOW_TEST_STEP_DIR`` set:
the action writes ``started-<pid>`` there when it begins, then waits (at most a minute) for
a file ``release`` to appear."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from onewindow.config.celery import app
from onewindow.workflow.actions import ActionContext, register_action

ACTION = "steps.check"
WAIT_SECONDS = 60.0


def _check(ctx: ActionContext) -> dict[str, Any]:
    folder = Path(os.environ["ONEWINDOW_TEST_STEP_DIR"])
    (folder / f"started-{os.getpid()}").write_text(ctx.key)
    deadline = time.monotonic() + WAIT_SECONDS
    while not (folder / "release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the test never released the step")
        time.sleep(0.05)
    return {"checked": True}


register_action(ACTION, _check)

__all__ = ["app"]
