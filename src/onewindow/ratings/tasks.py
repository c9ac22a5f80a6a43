"""Celery tasks of ratings: the daily invitation to rate (邀评) by beat; it only calls a
service."""

from celery import shared_task

from onewindow.ratings.services import subjects_invite_unrated


@shared_task(name="ratings.invite_unrated")
def ratings_invite_unrated() -> int:
    return subjects_invite_unrated()
