"""Celery tasks for notifications. Tasks only call services."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from onewindow.notify import services


@shared_task(bind=True, max_retries=services.SMS_MAX_ATTEMPTS, acks_late=True)
def sms_deliver(self: Any, message_id: int) -> str:
    outcome = services.sms_deliver(message_id=message_id)
    if outcome == "retry" and self.request.retries < self.max_retries:
        raise self.retry(countdown=services.sms_backoff_seconds(self.request.retries + 1))
    return outcome


@shared_task
def sms_retry_pending() -> int:
    return services.sms_retry_pending()
