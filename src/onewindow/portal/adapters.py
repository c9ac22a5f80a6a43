"""Sections other apps offer in their own shapes, plugged into the section contract
(``onewindow.core.home``) from ``PortalConfig.ready``: the bills app's
``bills.selectors.bill_home_section`` (a bill section with ``items``, ``updated_at`` and
``unavailable`` provider outages) and the one-account services' ``onepass.selectors.
library_home_section``. Each is registered only when its app offers it; an app that
registers a :class:`HomeSection` provider itself needs nothing here."""

from __future__ import annotations

import datetime
import importlib
import inspect
import logging
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from onewindow.core.home import (
    HomeItem,
    HomeSection,
    Unavailable,
    home_section_register,
    sort_items,
)

log = logging.getLogger(__name__)
DUE_SOON_DAYS = 3


def _first(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        value = getattr(obj, name, None)
        if value not in (None, ""):
            return value
    return default


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value if isinstance(value, datetime.date) else None


def item_from(obj: Any) -> HomeItem:
    """A line of another app's section: its title, link, amount, due day and state by the
    names such rows commonly carry. Due within three days, or overdue, is urgent."""
    if isinstance(obj, HomeItem):
        return obj
    due = _date(_first(obj, "due_on", "due_date", "due"))
    paid = bool(_first(obj, "paid", default=False))
    soon = due is not None and not paid and (due - timezone.localdate()).days <= DUE_SOON_DAYS
    return HomeItem(
        title=str(_first(obj, "title", "name", "subject", default="")),
        url=str(_first(obj, "url", "link", default="")),
        key=str(_first(obj, "key", "id", "number", default="")),
        status=str(_first(obj, "status_label", "status", default="")),
        detail=str(_first(obj, "detail", "period", "description", default="")),
        at=_first(obj, "at", "updated_at", "issued_at", "created_at"),
        due_on=due,
        urgent=bool(_first(obj, "urgent", "overdue", default=False)) or soon,
        amount=_amount(_first(obj, "amount_yuan", "amount")),
        reason=str(_first(obj, "reason", default="")),
    )


def outage_from(obj: Any) -> Unavailable:
    if isinstance(obj, Unavailable):
        return obj
    return Unavailable(
        source=str(_first(obj, "provider_name", "provider", "source", "name", default="")),
        kind=str(_first(obj, "kind_label", "kind", default="")),
        last_updated_at=_first(obj, "last_updated_at", "updated_at"),
    )


def section_from(key: str, title: str, found: Any) -> HomeSection:
    if isinstance(found, HomeSection):
        return found
    items = [item_from(item) for item in (_first(found, "items", default=()) or ())]
    return HomeSection(
        key=key,
        title=title,
        items=sort_items(items),
        updated_at=_first(found, "updated_at"),
        unavailable=tuple(outage_from(o) for o in (_first(found, "unavailable", default=()) or ())),
        total=_first(found, "total", "count"),
        more_url=str(_first(found, "more_url", "url", default="")),
    )


def _offered(module: str, name: str) -> Callable[..., Any] | None:
    try:
        return getattr(importlib.import_module(module), name, None)
    except ModuleNotFoundError as exc:  # the app offers no selectors yet; other errors surface
        if exc.name != module:
            raise
        return None


# (section key, its title, the module and function that offers it, the source's name)
OFFERS = (
    ("bills", gettext_lazy("生活账单"), "onewindow.bills.selectors", "bill_home_section", "账单"),
    (
        "library",
        gettext_lazy("图书借阅"),
        "onewindow.onepass.selectors",
        "library_home_section",
        "图书馆",
    ),
)


def adapters_register() -> list[str]:
    """Register each offered section; the keys registered."""
    done = []
    for key, title, module, name, source in OFFERS:
        offer = _offered(module, name)
        if offer is None:
            continue

        takes_limit = "limit" in inspect.signature(offer).parameters

        def provider(
            *,
            user: Any,
            limit: int,
            _offer: Any = offer,
            _key: str = key,
            _title: Any = title,
            _limit: bool = takes_limit,
        ) -> HomeSection:
            found = _offer(user=user, limit=limit) if _limit else _offer(user=user)
            return section_from(_key, str(_title), found)

        home_section_register(key, provider, name=source)
        done.append(key)
    return done
