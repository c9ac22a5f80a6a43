"""Celery tasks for notifications. Tasks only call services."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from onewindow.notify import services


@shared_task(
    name="notify.sms_deliver", bind=True, max_retries=services.SMS_MAX_ATTEMPTS, acks_late=True
)
def sms_deliver(self: Any, message_id: int) -> str:
    outcome = services.sms_deliver(message_id=message_id)
    if outcome != "retry":
        return outcome
    if self.request.is_eager:
        # Run in-process (tests, CELERY_TASK_ALWAYS_EAGER): retry at once; the service marks
        # the row failed after SMS_MAX_ATTEMPTS, which ends the loop.
        while outcome == "retry":
            outcome = services.sms_deliver(message_id=message_id)
        return outcome
    if self.request.retries < self.max_retries:
        raise self.retry(countdown=services.sms_backoff_seconds(self.request.retries + 1))
    return outcome  # still queued: sms_retry_pending picks it up


@shared_task(name="notify.sms_deliver_many", acks_late=True)
def sms_deliver_many(message_ids: list[int]) -> int:
    """The SMS of one batch (``notify_tell_batch``), one after the other; one that is to be
    tried again goes on as its own ``sms_deliver`` with the first back-off."""
    sent = 0
    for message_id in message_ids:
        outcome = services.sms_deliver(message_id=int(message_id))
        if outcome == "retry":
            sms_deliver.apply_async(
                args=[int(message_id)], countdown=services.sms_backoff_seconds(1)
            )
        sent += outcome == "sent"
    return sent


@shared_task(name="notify.sms_retry_pending")
def sms_retry_pending() -> int:
    return services.sms_retry_pending()


@shared_task(
    name="notify.deliver", bind=True, max_retries=services.SMS_MAX_ATTEMPTS, acks_late=True
)
def deliver(self: Any, delivery_id: int) -> str:
    """One email or WeChat message (a ``Delivery`` row)."""
    outcome = services.delivery_deliver(delivery_id=delivery_id)
    if outcome != "retry":
        return outcome
    if self.request.is_eager:
        while outcome == "retry":
            outcome = services.delivery_deliver(delivery_id=delivery_id)
        return outcome
    if self.request.retries < self.max_retries:
        raise self.retry(countdown=services.backoff_seconds(self.request.retries + 1))
    return outcome  # still queued: deliveries_retry_pending picks it up


@shared_task(name="notify.deliveries_retry_pending")
def deliveries_retry_pending() -> int:
    return services.deliveries_retry_pending()


@shared_task(name="notify.providers_check")
def providers_check() -> int:
    return len(services.providers_check())


@shared_task(name="notify.digest_send")
def digest_send() -> int:
    return services.digest_send()
