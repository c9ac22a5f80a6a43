"""Whose citizen page the library alters (``onewindow.core.home``): the card holder's (the
card, its loans and holds). Watched from ``OnepassConfig.ready()``; marking a sync failed
without ``save()`` calls :func:`cards_home_changed` itself."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from onewindow.core.home import HomeAudience, home_changed, home_watch


def cards_home_changed(*, card_ids: Iterable[int]) -> None:
    from onewindow.onepass.models import LibraryCard

    ids = list(card_ids)
    home_changed(user_ids=LibraryCard.objects.filter(pk__in=ids).values_list("user_id", flat=True))


def _card(card: Any) -> HomeAudience:
    return HomeAudience.of(user_ids=[card.user_id])


def _record(record: Any) -> HomeAudience:
    from onewindow.onepass.models import LibraryCard

    users = LibraryCard.objects.filter(pk=record.card_id).values_list("user_id", flat=True)
    return HomeAudience.of(user_ids=list(users))


def watch() -> None:
    home_watch("onepass.LibraryCard", _card)
    home_watch("onepass.LoanRecord", _record)
    home_watch("onepass.HoldRecord", _record)
