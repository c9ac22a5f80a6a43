"""Whose citizen page an in-app message alters (``onewindow.core.home``): its recipient's
(a new message, one read). Watched from ``NotifyConfig.ready()``; marking messages read
without ``save()`` tells the page itself (``notify.inbox``)."""

from __future__ import annotations

from typing import Any

from onewindow.core.home import HomeAudience, home_watch


def _message(message: Any) -> HomeAudience:
    return HomeAudience.of(user_ids=[message.recipient_id])


def watch() -> None:
    home_watch("notify.Message", _message)
