"""Celery tasks of the hotline: time-limit chasing and escalation by beat."""
