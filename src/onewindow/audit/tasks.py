from __future__ import annotations

from pathlib import Path

from celery import shared_task
from django.conf import settings

from onewindow.audit.services import audit_checkpoint_write


@shared_task(name="audit.checkpoint")
def checkpoint() -> None:
    """Beat: a signed checkpoint of the audit chain's head in ONEWINDOW_AUDIT_CHECKPOINT_DIR.
    A chain that no longer verifies raises (the task fails, and nothing is written)."""
    audit_checkpoint_write(directory=Path(settings.AUDIT_CHECKPOINT_DIR))
