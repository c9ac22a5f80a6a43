from celery import shared_task

from onewindow.delivery.services import shipments_advance


@shared_task(name="delivery.advance")
def delivery_advance_task() -> int:
    return shipments_advance()
