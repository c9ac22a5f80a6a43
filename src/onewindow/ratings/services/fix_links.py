"""One-time links (``RatingLink``) for rating a rectification's fix (追评) from an SMS: the
raw token goes only into the message; the table keeps its SHA-256."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from onewindow.ratings.models import RatingLink, Subject

# how long the rater may use the SMS link to rate the fix
FIX_LINK_DAYS = 30
TOKEN_BYTES = 16  # 22 URL-safe characters


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def fix_link_issue(
    *, subject: Subject, now: datetime.datetime | None = None, days: int = FIX_LINK_DAYS
) -> str:
    """A new one-time ``rate_fix`` link for the subject's rater; the raw token (to put in
    the message). Part of the caller's transaction; writes no audit row."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("fix_link_issue runs inside the use case's transaction")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    RatingLink.objects.create(
        subject=subject,
        purpose=RatingLink.Purpose.RATE_FIX,
        token_hash=token_hash(token),
        expires_at=(now or timezone.now()) + datetime.timedelta(days=days),
    )
    return token


def fix_link_find(*, token: str, lock: bool = False) -> RatingLink | None:
    """The ``rate_fix`` link of this raw token (used or not, expired or not), or None."""
    if not token or len(token) > 100:
        return None
    rows = RatingLink.objects.filter(
        token_hash=token_hash(token), purpose=RatingLink.Purpose.RATE_FIX
    )
    if lock:
        rows = rows.select_for_update()
    return rows.first()
