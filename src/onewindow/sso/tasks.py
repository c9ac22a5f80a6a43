from __future__ import annotations

from celery import shared_task

from onewindow.sso.services import sso_expired_purge


@shared_task(name="sso.purge")
def purge() -> dict[str, int]:
    """Beat, daily: expired SSO grants and tokens, and redeemed codes past every token's life."""
    return sso_expired_purge()
