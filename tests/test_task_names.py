"""Celery tasks share one naming scheme, ``<app>.<verb>``, and the beat schedule names only
tasks that exist: a message is routed by its task's name, so a name is part of the queue's
contract (see docs/operations.md, "Task names")."""

from __future__ import annotations

import re

from django.conf import settings

from onewindow.config.celery import app

NAME = re.compile(r"^[a-z]+\.[a-z_]+$")


def _ours() -> dict[str, object]:
    app.loader.import_default_modules()
    return {
        name: task
        for name, task in app.tasks.items()
        if getattr(task, "__module__", "").startswith("onewindow.")
    }


def test_every_task_is_named_app_dot_verb() -> None:
    tasks = _ours()
    assert "notify.sms_deliver" in tasks and "cases.advance" in tasks
    for name, task in tasks.items():
        app_label = task.__module__.split(".")[1]
        assert NAME.match(name) and name.startswith(f"{app_label}."), name


def test_the_beat_schedule_names_registered_tasks() -> None:
    tasks = _ours()
    for entry, job in settings.CELERY_BEAT_SCHEDULE.items():
        assert job["task"] in tasks, entry
