"""Celery tasks of the cases app: each only calls a service."""

from __future__ import annotations

from celery import shared_task

from onewindow.cases.services.process import case_advance
from onewindow.cases.services.sla import cases_sla_sweep


@shared_task(name="cases.advance")
def case_advance_task(case_id: int) -> int:
    return len(case_advance(case_id=case_id))


@shared_task(name="cases.sla_sweep")
def cases_sla_sweep_task() -> dict[str, int]:
    return cases_sla_sweep()
