"""Celery tasks of the bills app (each only calls a service)."""

from __future__ import annotations

from celery import shared_task

from onewindow.bills import services


@shared_task(name="bills.sync_due")
def sync_due() -> int:
    return services.bills_sync_due()


@shared_task(name="bills.sync")
def sync(subscription_id: int) -> str:
    return services.subscription_sync(subscription_id=subscription_id).status
