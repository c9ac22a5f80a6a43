"""Celery tasks of the cases app: each only calls a service."""

from __future__ import annotations

import datetime

from celery import shared_task

from onewindow.cases.services.process import case_advance
from onewindow.cases.services.sla import cases_sla_sweep
from onewindow.cases.services.steps import cases_steps_sweep


def _time(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


@shared_task(name="cases.advance")
def case_advance_task(case_id: int, stale_claim: str | None = None, due: str | None = None) -> int:
    """The step owed to the case (ISO 8601: ``due``, when it was owed from as this message
    was sent; ``stale_claim``, a claim the sweep found lost with its worker)."""
    events = case_advance(
        case_id=case_id, step=True, due=_time(due), stale_claim=_time(stale_claim)
    )
    return len(events)


@shared_task(name="cases.sla_sweep")
def cases_sla_sweep_task() -> dict[str, int]:
    return cases_sla_sweep()


@shared_task(name="cases.steps_sweep")
def cases_steps_sweep_task() -> dict[str, int]:
    return cases_steps_sweep()
