"""Celery tasks of the payments app: each only calls a service."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from onewindow.payments.reconciliation import reconcile_day
from onewindow.payments.services import paid_cases_resume


@shared_task(name="payments.reconcile")
def payments_reconcile_task(day: str | None = None) -> int:
    """Daily: reconcile yesterday (or ``day``) against the gateway's statement."""
    when = (
        datetime.date.fromisoformat(day)
        if day
        else timezone.localdate() - datetime.timedelta(days=1)
    )
    return len(reconcile_day(day=when))


@shared_task(name="payments.resume_paid")
def payments_resume_paid_task() -> int:
    return paid_cases_resume()
