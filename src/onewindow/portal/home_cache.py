"""The resident's home page, kept per person and correct by construction.

A page is kept in the configured cache under a key made of the account, the current
version of that person's page and of everyone's (``portal.models.HomePageVersion``, read
from the database by primary key on every view, so a change made by any process is seen at
once by every other), the local date (working-day countdowns, "tomorrow", "expiring soon"
change at midnight) and the language. Every change that can alter a page replaces the
version of the people it names (``onewindow.core.home.home_changed`` and ``home_watch``;
the receiver is :func:`on_home_page_changed`), inside the transaction that makes the change:
the next view after its commit builds the page afresh.

What is kept is data, not text that depends on the time: "x 分钟前更新" is rendered from the
kept timestamps at every view. A page is kept for ``PORTAL_HOME_CACHE_SECONDS`` at most
(changes that happen only because time passes within a day, such as an appointment starting
or a consent request expiring, are seen within that time), and for
``PORTAL_HOME_OUTAGE_CACHE_SECONDS`` when a source could not be reached (so it is asked again
soon)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from onewindow.core.home import HomeAudience, home_read
from onewindow.portal.models import EVERYONE, HomePageVersion

if TYPE_CHECKING:
    from onewindow.identity.models import User
    from onewindow.portal.selectors import HomePage

logger = logging.getLogger(__name__)

CACHE_SECONDS = 120
OUTAGE_CACHE_SECONDS = 15
KEY_PREFIX = "portal:home:v1"


def _seconds(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def home_page_version(*, user_id: int) -> str:
    """The version the page of ``user_id`` is kept under: theirs and everyone's (one
    primary-key read)."""
    rows = dict(
        HomePageVersion.objects.filter(user_id__in=(EVERYONE, user_id)).values_list(
            "user_id", "version"
        )
    )
    return f"{rows.get(EVERYONE, 0)}.{rows.get(user_id, 0)}"


def _key(user_id: int, version: str) -> str:
    today = timezone.localdate().isoformat()
    return f"{KEY_PREFIX}:{user_id}:{version}:{today}:{get_language() or ''}"


def home_page_kept(*, user: User, build: Callable[[], HomePage]) -> HomePage:
    """The resident's page as kept under its current version, or ``build()`` kept now."""
    if _seconds("PORTAL_HOME_CACHE_SECONDS", CACHE_SECONDS) <= 0:
        return build()
    home_read()  # a change this transaction makes after this read replaces the version again
    key = _key(user.pk, home_page_version(user_id=user.pk))
    page: HomePage | None = cache.get(key)
    if page is not None:
        return page
    page = build()
    outage = any(section.unavailable for section in page.sections.values())
    seconds = (
        _seconds("PORTAL_HOME_OUTAGE_CACHE_SECONDS", OUTAGE_CACHE_SECONDS)
        if outage
        else _seconds("PORTAL_HOME_CACHE_SECONDS", CACHE_SECONDS)
    )
    if seconds > 0:
        cache.set(key, page, seconds)
    return page


def _user_ids(audience: HomeAudience) -> set[int]:
    users = set(audience.user_ids)
    if audience.person_ids or audience.company_ids:
        from onewindow.identity.selectors import user_ids_of

        users |= user_ids_of(person_ids=audience.person_ids, company_ids=audience.company_ids)
    return users


def home_versions_replace(*, user_ids: set[int]) -> None:
    """Give each of these accounts' pages (``EVERYONE``: every page) a new version: what was
    kept under the old one is never read again (and expires)."""
    if not user_ids:
        return
    rows = [HomePageVersion(user_id=uid, version=secrets.randbits(62)) for uid in sorted(user_ids)]
    HomePageVersion.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["user_id"], update_fields=["version"]
    )


def on_home_page_changed(sender: Any, audience: HomeAudience, **kwargs: Any) -> None:
    """The receiver of ``core.home.home_page_changed``: new versions for the people named."""
    users = {EVERYONE} if audience.everyone else _user_ids(audience)
    home_versions_replace(user_ids=users)
