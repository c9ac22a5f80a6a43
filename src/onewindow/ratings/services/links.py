"""One-time rating links (sent by SMS): a random token in the link, only its SHA-256 kept
(as API tokens are, ``identity.services.tokens``), valid for ``LINK_DAYS`` and used once —
redeemed in the same transaction as the rating it carries.

Both functions here are steps of a caller's use case (the invitation, the rating) and write
no audit row of their own."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.crypto.digests import digest
from onewindow.core.errors import ApplicationError, NotFound
from onewindow.ratings.models import RatingLink

# 128 bits: 22 characters in the link, short enough for an SMS
TOKEN_BYTES = 16
LINK_DAYS = 15


class LinkNotFound(NotFound):
    code = "link_not_found"

    def __init__(self) -> None:
        super().__init__(_("评价链接无效。请核对短信中的链接是否完整。"))


class LinkGone(ApplicationError):
    """A link that was real but may no longer be used: used already, or expired."""

    status = 410

    def __init__(self, *, used: bool) -> None:
        if used:
            super().__init__(_("该评价链接已使用过，每个链接只能使用一次。"), code="link_used")
        else:
            super().__init__(
                _("该评价链接已过期。您可以登录一网通办，在“我的评价”中评价。"),
                code="link_expired",
            )


def token_hash(token: str) -> str:
    return digest(token.encode(), alg="sha256")


def link_path(token: str) -> str:
    return reverse("ratings:link", kwargs={"token": token})


def link_url(token: str) -> str:
    """The link as the invitation's SMS carries it (its template holds the site's public
    address, ``notify.messages``): the address and the path."""
    return f"{str(settings.LICENCES_PUBLIC_URL).rstrip('/')}{link_path(token)}"


def link_issue(
    *,
    subject_id: int,
    purpose: str = RatingLink.Purpose.RATE,
    now: datetime.datetime | None = None,
    days: int = LINK_DAYS,
) -> str:
    """A new one-time link for the subject; answers the raw token (never stored)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("link_issue runs inside its caller's transaction")
    now = now or timezone.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    RatingLink.objects.create(
        subject_id=subject_id,
        purpose=purpose,
        token_hash=token_hash(token),
        expires_at=now + datetime.timedelta(days=days),
    )
    return token


def link_find(*, token: str, purpose: str, lock: bool = False) -> RatingLink | None:
    """The link of this raw token and purpose (used or not, expired or not), or None."""
    if not token or len(token) > 100:
        return None
    rows = RatingLink.objects.filter(token_hash=token_hash(token), purpose=purpose)
    if lock:
        rows = rows.select_for_update()
    return rows.first()


def link_check(link: RatingLink | None, *, now: datetime.datetime | None = None) -> None:
    """Raise what is wrong with a link looked up by its token (LinkNotFound, LinkGone)."""
    if link is None:
        raise LinkNotFound()
    if link.used_at is not None:
        raise LinkGone(used=True)
    if link.expires_at <= (now or timezone.now()):
        raise LinkGone(used=False)


def link_redeem(
    *,
    token: str,
    purpose: str = RatingLink.Purpose.RATE,
    now: datetime.datetime | None = None,
) -> RatingLink:
    """Lock the link, check it and mark it used; part of the caller's transaction, so a
    rating that fails leaves the link unused. Two uses at once: the second waits for the
    first's lock, then finds it used."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("link_redeem runs inside its caller's transaction")
    now = now or timezone.now()
    link = (
        RatingLink.objects.select_for_update()
        .select_related("subject")
        .filter(token_hash=token_hash(token or ""), purpose=purpose)
        .first()
    )
    link_check(link, now=now)
    assert link is not None
    # a conditional UPDATE as well, for databases without row locks (SQLite)
    if not RatingLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now):
        raise LinkGone(used=True)
    link.used_at = now
    return link
