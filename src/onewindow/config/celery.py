"""Celery application. The broker comes from settings (SQLite via kombu's SQLAlchemy transport
by default, Redis or RabbitMQ at scale). Tasks only call services."""

import os
from typing import Any

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.config.base")

app = Celery("onewindow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _refuse(process: str) -> None:
    from onewindow.core.startup import UnsafeProduction, refuse_unsafe_production

    try:
        refuse_unsafe_production(process)
    except UnsafeProduction as exc:  # Celery logs and ignores a signal handler's Exception
        raise SystemExit(str(exc)) from exc


@worker_init.connect
def _worker_refuses_unsafe_production(**kwargs: Any) -> None:
    _refuse("Celery worker")


@beat_init.connect
def _beat_refuses_unsafe_production(**kwargs: Any) -> None:
    _refuse("Celery beat")
