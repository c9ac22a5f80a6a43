"""Signal receivers of the notification service (connected in ``NotifyConfig.ready``)."""

from __future__ import annotations

import logging
from typing import Any

from onewindow.cases.signals import CaseNews
from onewindow.notify.case_news import case_news_notify

log = logging.getLogger(__name__)


def on_case_news(sender: Any, news: CaseNews, **kwargs: Any) -> None:
    """Tell the applicant (or staff) about one piece of case news. Never raises: the case
    step is already committed and must not see a notification's failure."""
    try:
        case_news_notify(news=news)
    except Exception:
        log.exception(
            "notify: could not tell about case %s (%s, event %s)",
            news.case_number,
            news.kind,
            news.event_id,
        )
