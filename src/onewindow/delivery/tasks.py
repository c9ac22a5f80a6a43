"""Celery tasks of delivery: each only calls a service."""

from celery import shared_task

from onewindow.delivery.services import push_apply, shipments_advance


@shared_task(name="delivery.advance")
def delivery_advance_task() -> int:
    return shipments_advance()


@shared_task(name="delivery.push_apply")
def delivery_push_apply(push_id: int) -> int:
    return push_apply(push_id=push_id)
