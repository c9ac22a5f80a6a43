"""Periodic work: keep slots generated ahead and send the day-before reminders."""

from __future__ import annotations

from celery import shared_task

from onewindow.appointments import services


@shared_task(name="appointments.sweep")
def sweep() -> dict[str, int]:
    return {
        "slots": services.slots_generate_all(days=10),
        "reminders": services.reminders_send_due(),
    }
