"""Celery tasks of rectification (差评整改), by beat; each only calls a service. Imported by
``RatingsConfig.ready()`` (Celery's autodiscovery looks only for ``tasks``)."""

from celery import shared_task

from onewindow.ratings.services.rectify_supervise import rectifications_supervise_overdue


@shared_task(name="ratings.supervise_overdue")
def ratings_supervise_overdue() -> int:
    return rectifications_supervise_overdue()
