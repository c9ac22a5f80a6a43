"""The citizen page's section contract (市民网页的栏目).

The resident's home page is made of sections (``cases``, ``bills``, ``replies`` …). The
portal fills the platform's own; any other app fills one by registering a provider from its
``AppConfig.ready()``, without the portal knowing it::

    class InteractionConfig(AppConfig):
        def ready(self) -> None:
            from onewindow.core.home import home_section_register
            from onewindow.interaction.selectors import replies_home_section

            home_section_register("replies", replies_home_section)

A provider is called with the logged-in account and the number of items the page shows,
and answers a frozen :class:`HomeSection`: its items newest and most urgent first, when its
data was last brought up to date, and the sources that could not be reached (shown as
"暂时无法获取，x 分钟前更新" instead of an empty list). A provider that raises is shown the
same way: one broken source never breaks the page.

What a page shows may be kept for a while (the portal keeps each resident's sections under a
version of that person's page). So every change that can alter someone's page says so,
through the one front door here, without knowing who keeps what:

- :func:`home_watch` (from ``AppConfig.ready()``): every ``save()`` and ``delete()`` of a
  model changes the pages of the people its rows name::

      home_watch("notify.Message", lambda m: HomeAudience.of(user_ids=[m.recipient_id]))

- :func:`home_changed`: a change made without ``save()`` (``QuerySet.update()``,
  ``bulk_create()``) names its people itself; ``everyone=True`` for a change that can alter
  every page (a bill provider's circuit opening, the catalogue).

Both announce the change inside the transaction that makes it: the new version commits with
the change, and a rollback leaves the page as it was.

This module imports no app: the account is whatever the caller passes (an identity
``User``)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Protocol

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HomeItem:
    """One line of a section. Only ``title`` is required; a section fills what it knows."""

    title: str
    url: str = ""
    key: str = ""  # stable id within the section (a case number, a message id …)
    status: str = ""  # the badge (办理中, 待缴费, 即将到期 …)
    detail: str = ""  # one more line in the person's words
    at: datetime.datetime | None = None  # when it last changed (newest first)
    due_on: datetime.date | None = None  # the day something is due
    urgent: bool = False  # needs the person's action or attention soon
    next_step: str = ""
    holder: str = ""  # who holds it now (a department, a company)
    working_days_left: int | None = None
    amount: Decimal | None = None  # yuan
    unread: bool = False
    reason: str = ""  # why it is shown ("因为……")


@dataclass(frozen=True)
class Unavailable:
    """A source that could not be reached: its name (国网广州供电局, 12345 热线 …), what
    kind of data (电费), and when the page last had fresh data from it (None: never)."""

    source: str
    kind: str = ""
    last_updated_at: datetime.datetime | None = None

    def minutes_ago(self, now: datetime.datetime) -> int | None:
        if self.last_updated_at is None:
            return None
        return max(0, int((now - self.last_updated_at).total_seconds() // 60))


@dataclass(frozen=True)
class HomeSection:
    key: str
    title: str
    items: tuple[HomeItem, ...] = ()
    # When the data behind the items was last brought up to date (None: read live now).
    updated_at: datetime.datetime | None = None
    unavailable: tuple[Unavailable, ...] = ()
    total: int | None = None  # how many there are in all, when more than the items shown
    more_url: str = ""  # where the whole list is
    available: bool = True  # False: nothing provides this section yet

    @property
    def urgent(self) -> int:
        """The number of urgent items: sections with more come first on the page."""
        return sum(1 for item in self.items if item.urgent)

    @property
    def count(self) -> int:
        return self.total if self.total is not None else len(self.items)


class HomeSectionProvider(Protocol):
    def __call__(self, *, user: Any, limit: int) -> HomeSection: ...


@dataclass(frozen=True)
class _Registered:
    key: str
    provider: HomeSectionProvider
    name: str = ""  # the source's name, for "暂时无法获取" when it raises


_registry: dict[str, list[_Registered]] = {}


def home_section_register(key: str, provider: HomeSectionProvider, *, name: str = "") -> None:
    """Let ``provider`` fill the section ``key`` (call from ``AppConfig.ready()``). Several
    providers may fill one section: their items are merged. Registering the same provider
    twice changes nothing."""
    entries = _registry.setdefault(key, [])
    if any(entry.provider is provider for entry in entries):
        return
    entries.append(_Registered(key=key, provider=provider, name=name))


def home_section_unregister(key: str, provider: HomeSectionProvider | None = None) -> None:
    """Take a provider (or every provider of ``key``) off the page (tests, feature flags)."""
    if provider is None:
        _registry.pop(key, None)
        return
    _registry[key] = [entry for entry in _registry.get(key, []) if entry.provider is not provider]


def home_section_providers(key: str) -> tuple[HomeSectionProvider, ...]:
    """The providers filling ``key``, in the order registered."""
    return tuple(entry.provider for entry in _registry.get(key, []))


def home_section_keys() -> list[str]:
    return [key for key, entries in _registry.items() if entries]


def sort_items(items: Sequence[HomeItem]) -> tuple[HomeItem, ...]:
    """Most urgent first, then newest first (items without a time last)."""
    floor = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    return tuple(sorted(items, key=lambda item: (not item.urgent, -(item.at or floor).timestamp())))


def home_section_collect(
    key: str,
    *,
    user: Any,
    limit: int,
    title: str = "",
    unavailable_source: Callable[[], str] | None = None,
) -> HomeSection:
    """The section ``key`` as its registered providers fill it: items merged, most urgent
    and newest first, the oldest ``updated_at`` of them, every unreachable source. A provider
    that raises is logged and shown as unreachable. With no provider, an empty section
    marked ``available=False`` (the page says the service is not connected yet, never
    "nothing for you")."""
    entries = _registry.get(key, [])
    if not entries:
        return HomeSection(key=key, title=title or key, available=False)
    items: list[HomeItem] = []
    unavailable: list[Unavailable] = []
    updated: list[datetime.datetime] = []
    total = 0
    exact_total = True
    more_urls: list[str] = []
    available = False
    for entry in entries:
        try:
            section = entry.provider(user=user, limit=limit)
        except Exception:  # one broken source must not break the page
            log.exception("home section %s: provider %s failed", key, entry.provider)
            source = entry.name or (unavailable_source() if unavailable_source else title or key)
            unavailable.append(Unavailable(source=source))
            exact_total = False
            available = True
            continue
        title = title or section.title
        available = available or section.available
        if section.more_url:
            more_urls.append(section.more_url)
        items.extend(section.items)
        unavailable.extend(section.unavailable)
        if section.updated_at is not None:
            updated.append(section.updated_at)
        total += section.count
    merged = sort_items(items)
    return HomeSection(
        key=key,
        title=title or key,
        items=merged[:limit],
        updated_at=min(updated) if updated else None,
        unavailable=tuple(unavailable),
        total=total if exact_total else None,
        # one provider's "see all" page; several providers have no single one
        more_url=more_urls[0] if len(more_urls) == 1 and len(entries) == 1 else "",
        available=available,
    )


def with_items(section: HomeSection, items: Sequence[HomeItem]) -> HomeSection:
    return replace(section, items=tuple(items))


# --- what changed: the front door of every change that can alter someone's page -------------


def _ids(values: Iterable[int | None]) -> frozenset[int]:
    return frozenset(int(value) for value in values if value)


@dataclass(frozen=True)
class HomeAudience:
    """Whose pages a change alters: natural persons (``identity.Person`` ids), accounts
    (``identity.User`` ids), companies (every person acting for them), or everyone."""

    person_ids: frozenset[int] = frozenset()
    user_ids: frozenset[int] = frozenset()
    company_ids: frozenset[int] = frozenset()
    everyone: bool = False

    @classmethod
    def of(
        cls,
        *,
        person_ids: Iterable[int | None] = (),
        user_ids: Iterable[int | None] = (),
        company_ids: Iterable[int | None] = (),
        everyone: bool = False,
    ) -> HomeAudience:
        return cls(_ids(person_ids), _ids(user_ids), _ids(company_ids), everyone)

    def __bool__(self) -> bool:
        return bool(self.everyone or self.person_ids or self.user_ids or self.company_ids)


# Sent by home_changed with ``audience=`` a HomeAudience, inside the caller's transaction:
# whoever keeps pages (the portal) drops the versions it kept for them. A receiver that
# raises undoes the change (a page kept past a change would be wrong, not just late).
home_page_changed = Signal()


class _Announced:
    """What the current transaction has announced already: a version replaced inside a
    transaction is seen by others only when it commits, with every later change of the same
    transaction, so announcing the same people again before then changes nothing. Known by
    an on-commit marker (gone once the transaction commits or rolls back, or the savepoint it
    was made in is rolled back) and the savepoints open when it was made (gone once they are
    released: a test's use cases, each in its own savepoint, announce each their own)."""

    def __init__(self, stack: list[Any]) -> None:
        self.stack = stack
        self.keys: set[Hashable] = set()

    def __call__(self) -> None:  # the on-commit marker: nothing to do
        return None


def _announced() -> _Announced | None:
    """The current transaction's record (None outside a transaction: nothing to remember)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    stack = list(connection.savepoint_ids)
    held: _Announced | None = getattr(connection, "_home_announced", None)
    if (
        held is not None
        and held.stack == stack[: len(held.stack)]
        and any(entry[1] is held for entry in connection.run_on_commit)
    ):
        return held
    held = _Announced(stack)
    connection.on_commit(held)
    connection._home_announced = held
    return held


def home_read() -> None:
    """A page is being read in the current transaction: it sees what was announced so far,
    so whatever is announced after this is announced again (call it before reading the
    version a page is kept under)."""
    connection = transaction.get_connection()
    if getattr(connection, "_home_announced", None) is not None:
        connection._home_announced = None


def home_announced() -> frozenset[Hashable]:
    """The keys the current transaction has announced (empty outside one)."""
    connection = transaction.get_connection()
    held: _Announced | None = getattr(connection, "_home_announced", None)
    if (
        held is None
        or not connection.in_atomic_block
        or held.stack != list(connection.savepoint_ids)[: len(held.stack)]
        or not any(entry[1] is held for entry in connection.run_on_commit)
    ):
        return frozenset()
    return frozenset(held.keys)


def home_announce_once(key: Hashable) -> bool:
    """True the first time ``key`` is announced in the current transaction (always outside
    one): a watcher skips reading who its row concerns when that was announced already."""
    held = _announced()
    if held is None:
        return True
    if key in held.keys:
        return False
    held.keys.add(key)
    return True


def home_changed(
    *,
    person_ids: Iterable[int | None] = (),
    user_ids: Iterable[int | None] = (),
    company_ids: Iterable[int | None] = (),
    everyone: bool = False,
) -> None:
    """What the pages of these people show may have changed (call it in the transaction that
    changes it). Ids that are None are skipped; nothing named, nothing done; the people the
    current transaction announced already are not announced again."""
    audience = HomeAudience.of(
        person_ids=person_ids, user_ids=user_ids, company_ids=company_ids, everyone=everyone
    )
    held = _announced()
    if held is not None:
        fresh = HomeAudience(
            person_ids=frozenset(i for i in audience.person_ids if ("p", i) not in held.keys),
            user_ids=frozenset(i for i in audience.user_ids if ("u", i) not in held.keys),
            company_ids=frozenset(i for i in audience.company_ids if ("c", i) not in held.keys),
            everyone=audience.everyone and ("everyone",) not in held.keys,
        )
        held.keys.update(("p", i) for i in fresh.person_ids)
        held.keys.update(("u", i) for i in fresh.user_ids)
        held.keys.update(("c", i) for i in fresh.company_ids)
        if fresh.everyone:
            held.keys.add(("everyone",))
        audience = fresh
    if audience:
        home_page_changed.send(sender=HomeAudience, audience=audience)


HomeAudienceOf = Callable[[Any], HomeAudience]
_watched: dict[str, list[HomeAudienceOf]] = {}


def _on_row_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # fixtures being loaded
        return
    for audience_of in _watched.get(sender._meta.label, ()):
        audience = audience_of(instance)
        home_changed(
            person_ids=audience.person_ids,
            user_ids=audience.user_ids,
            company_ids=audience.company_ids,
            everyone=audience.everyone,
        )


def home_watch(model: str, audience: HomeAudienceOf) -> None:
    """Every ``save()`` and ``delete()`` of ``model`` (``"app_label.Model"``) alters the pages
    of ``audience(row)``. Call from ``AppConfig.ready()``; watching twice changes nothing."""
    entries = _watched.setdefault(model, [])
    if audience in entries:
        return
    entries.append(audience)
    uid = f"core.home.watch:{model}"
    post_save.connect(_on_row_changed, sender=model, dispatch_uid=uid, weak=False)
    post_delete.connect(_on_row_changed, sender=model, dispatch_uid=uid + ":delete", weak=False)


def home_watched() -> dict[str, int]:
    """The models watched, with how many audiences each (the checks and tests read it)."""
    return {model: len(entries) for model, entries in _watched.items() if entries}


__all__ = [
    "HomeAudience",
    "HomeItem",
    "HomeSection",
    "HomeSectionProvider",
    "Unavailable",
    "home_announce_once",
    "home_announced",
    "home_changed",
    "home_page_changed",
    "home_read",
    "home_section_collect",
    "home_section_keys",
    "home_section_providers",
    "home_section_register",
    "home_section_unregister",
    "home_watch",
    "home_watched",
    "sort_items",
    "with_items",
]
