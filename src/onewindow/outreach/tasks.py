"""Celery tasks of push rules; each only calls a service."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from onewindow.outreach import services


@shared_task(name="outreach.handle_event")
def handle_event(event: dict[str, Any]) -> int:
    pushed = services.push_event_handle(
        event=services.PushEvent(
            trigger=str(event["trigger"]),
            person_id=int(event["person_id"]),
            object_key=str(event["object_key"]),
            facts=dict(event.get("facts") or {}),
            channels=services.event_channels(event.get("channels")),
        )
    )
    return len(pushed)


@shared_task(name="outreach.deliver")
def deliver(push_ids: list[int]) -> int:
    return len(services.push_deliver_batch(push_ids=[int(pk) for pk in push_ids]))


@shared_task(name="outreach.deliver_due")
def deliver_due() -> int:
    return services.push_deliver_due()


@shared_task(name="outreach.sweep")
def sweep() -> int:
    return services.push_sweep_run()
