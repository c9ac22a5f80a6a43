"""The query parameters of GET requests and servicerequestupdates, as the specification
defines them: W3C date-times with their offset, a window of at most 90 days (the most recent
90 by default), comma-delimited lists; an empty parameter is one not given."""

from __future__ import annotations

import datetime

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onewindow.interaction.open311.endpoint import BadParameter

WINDOW_DAYS = 90
STATUSES = ("open", "closed")


def listed(query: QueryDict, name: str) -> list[str]:
    """A comma-delimited parameter (given once or several times), without blanks."""
    values: list[str] = []
    for given in query.getlist(name):
        values.extend(v.strip() for v in given.split(",") if v.strip())
    return list(dict.fromkeys(values))


def _date(query: QueryDict, name: str) -> datetime.datetime | None:
    raw = (query.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise BadParameter(
            _("%(name)s 应为带时区的日期时间，例如 2026-12-01T00:00:00+08:00。") % {"name": name}
        )
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def window(query: QueryDict) -> tuple[datetime.datetime, datetime.datetime]:
    """``start_date`` to ``end_date``: the given ones, or 90 days before / after the one
    given, or the last 90 days; refused when the end comes first or it spans more."""
    start, end = _date(query, "start_date"), _date(query, "end_date")
    span = datetime.timedelta(days=WINDOW_DAYS)
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        assert end is not None
        start = end - span
    if end is None:
        end = start + span
    if end < start:
        raise BadParameter(_("end_date 不能早于 start_date。"))
    if end - start > span:
        raise BadParameter(
            ngettext(
                "start_date 到 end_date 不能超过 %(days)s 天。",
                "start_date 到 end_date 不能超过 %(days)s 天。",
                WINDOW_DAYS,
            )
            % {"days": WINDOW_DAYS}
        )
    return start, end


def statuses(query: QueryDict) -> set[str]:
    """The ``status`` values asked for (open, closed; none: both)."""
    asked = set(listed(query, "status"))
    if asked - set(STATUSES):
        raise BadParameter(_("status 只能是 open 或 closed。"))
    return asked
