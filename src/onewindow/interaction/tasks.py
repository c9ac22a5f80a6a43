"""Celery tasks of the hotline: time-limit chasing and escalation by beat; each only calls
a service."""

from celery import shared_task

from onewindow.interaction.services.loop import requests_chase_sweep, requests_visit_invite


@shared_task(name="interaction.chase_overdue")
def interaction_chase_overdue() -> dict[str, int]:
    return requests_chase_sweep()


@shared_task(name="interaction.visit_invite")
def interaction_visit_invite() -> int:
    return requests_visit_invite()
