"""Celery tasks of the cases app: each only calls a service."""

from __future__ import annotations

import datetime

from celery import shared_task

from onewindow.cases.services.process import case_advance
from onewindow.cases.services.sla import cases_sla_sweep
from onewindow.cases.services.steps import cases_steps_sweep


@shared_task(name="cases.advance")
def case_advance_task(case_id: int, stale_claim: str | None = None) -> int:
    """The step owed to the case (``stale_claim``: the sweep found this claim lost with its
    worker, ISO 8601)."""
    claim = datetime.datetime.fromisoformat(stale_claim) if stale_claim else None
    return len(case_advance(case_id=case_id, step=True, stale_claim=claim))


@shared_task(name="cases.sla_sweep")
def cases_sla_sweep_task() -> dict[str, int]:
    return cases_sla_sweep()


@shared_task(name="cases.steps_sweep")
def cases_steps_sweep_task() -> dict[str, int]:
    return cases_steps_sweep()
