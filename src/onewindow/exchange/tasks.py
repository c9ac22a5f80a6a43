from __future__ import annotations

from pathlib import Path

from celery import shared_task
from django.conf import settings

from onewindow.exchange.calllog import calllog_checkpoint_write


@shared_task(name="exchange.calllog_checkpoint")
def calllog_checkpoint() -> None:
    """Beat: a signed checkpoint of the call log's head in ONEWINDOW_AUDIT_CHECKPOINT_DIR.
    A log that no longer verifies raises (the task fails, and nothing is written)."""
    calllog_checkpoint_write(directory=Path(settings.AUDIT_CHECKPOINT_DIR))
