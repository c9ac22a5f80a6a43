"""A person's contact details and preferences: where notify may reach them, by which
channels, when not (quiet hours) and whether pushes come as one daily digest."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

CHANNEL_INAPP = "inapp"
CHANNEL_SMS = "sms"
CHANNEL_EMAIL = "email"
CHANNEL_WECHAT = "wechat"
CHANNELS = frozenset({CHANNEL_INAPP, CHANNEL_SMS, CHANNEL_EMAIL, CHANNEL_WECHAT})
DEFAULT_CHANNELS = frozenset({CHANNEL_INAPP, CHANNEL_SMS})
LANGUAGES = ("zh-hans", "en")


def default_quiet_hours() -> tuple[time, time]:
    start, end = settings.NOTIFY_QUIET_HOURS
    return time.fromisoformat(start), time.fromisoformat(end)


@dataclass(frozen=True)
class Preferences:
    """How one person wants to be told (the defaults for a person who chose nothing)."""

    user_id: int
    email: str = ""
    wechat_openid: str = ""
    channels: frozenset[str] = DEFAULT_CHANNELS
    quiet_start: time | None = None  # None with quiet_end None: no quiet hours
    quiet_end: time | None = None
    digest: bool = False
    language: str = "zh-hans"
    chosen: bool = False  # the person has saved preferences (False: these are the defaults)

    @property
    def wechat_bound(self) -> bool:
        return bool(self.wechat_openid)

    def quiet_until(self, now: datetime) -> datetime | None:
        """When the quiet hours around ``now`` end (None: ``now`` is not in them)."""
        if self.quiet_start is None or self.quiet_end is None or self.quiet_start == self.quiet_end:
            return None
        local = timezone.localtime(now)
        clock = local.time().replace(tzinfo=None)
        start, end = self.quiet_start, self.quiet_end
        inside = (start <= clock or clock < end) if start > end else (start <= clock < end)
        if not inside:
            return None
        ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        if ends <= local:
            ends += timedelta(days=1)
        return ends


def preferences_of(user_id: int) -> Preferences:
    from onewindow.notify.models import Contact

    return _preferences(user_id, Contact.objects.filter(user_id=user_id).first())


def preferences_of_many(user_ids: Collection[int]) -> dict[int, Preferences]:
    """The preferences of each of these people, in one query."""
    from onewindow.notify.models import Contact

    wanted = sorted({u for u in user_ids if u})
    rows = (
        {row.user_id: row for row in Contact.objects.filter(user_id__in=wanted)} if wanted else {}
    )
    return {user_id: _preferences(user_id, rows.get(user_id)) for user_id in wanted}


def _preferences(user_id: int, row: Any) -> Preferences:
    if row is None:
        start, end = default_quiet_hours()
        return Preferences(user_id=user_id, quiet_start=start, quiet_end=end)
    return Preferences(
        user_id=user_id,
        email=row.email,
        wechat_openid=row.wechat_openid,
        channels=frozenset(row.channels) & CHANNELS or DEFAULT_CHANNELS,
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        digest=row.digest,
        language=row.language,
        chosen=True,
    )
