"""Celery application. The broker comes from settings (SQLite via kombu's SQLAlchemy transport
by default, Redis or RabbitMQ at scale). Tasks only call services."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.config.base")

app = Celery("onewindow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
