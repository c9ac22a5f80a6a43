"""Celery tasks of onepass: each only calls a service."""

from celery import shared_task

from onewindow.onepass.services import library_cards_sync, loan_reminders_send


@shared_task(name="onepass.remind_due_loans")
def onepass_remind_due_loans() -> int:
    return loan_reminders_send()


@shared_task(name="onepass.sync_cards")
def onepass_sync_cards() -> int:
    return library_cards_sync()
