"""Reads of one account for other public services: a resident's library card, loans and
holds, volunteer registration, activities and hours; the citizen page's library and
volunteer sections; the loans due in a period for reminders pushed by rules elsewhere."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from onewindow.identity import selectors as identity_selectors
from onewindow.onepass import conf
from onewindow.onepass.models import (
    ActivitySignup,
    HoldRecord,
    LibraryCard,
    LoanRecord,
    ServiceHour,
    Volunteer,
)
from onewindow.onepass.providers.base import Activity, ProviderError

if TYPE_CHECKING:
    from onewindow.identity.models import User

LIBRARY_URL = "/onepass/library/"
VOLUNTEER_URL = "/onepass/volunteer/"
STALE_AFTER = datetime.timedelta(minutes=10)
RETRY_AFTER = datetime.timedelta(minutes=2)


def library_card_for(*, user: User) -> LibraryCard | None:
    return LibraryCard.objects.filter(user_id=user.pk).first()


def loans_of(*, card: LibraryCard) -> list[LoanRecord]:
    return list(card.loans.all())


def holds_of(*, card: LibraryCard) -> list[HoldRecord]:
    return list(card.holds.all())


def library_unavailable(card: LibraryCard) -> bool:
    """The last time OneWindow asked, the library did not answer."""
    return card.sync_failed_at is not None and (
        card.synced_at is None or card.sync_failed_at > card.synced_at
    )


def _stale(
    synced_at: datetime.datetime | None, failed_at: datetime.datetime | None, now: datetime.datetime
) -> bool:
    """Worth asking again: the last answer is old, and the last failure (if any) is not so
    recent that asking again would only make the resident wait for the same timeout."""
    old = synced_at is None or now - synced_at > STALE_AFTER
    return old and (failed_at is None or now - failed_at > RETRY_AFTER)


def library_card_stale(*, card: LibraryCard, now: datetime.datetime) -> bool:
    return _stale(card.synced_at, card.sync_failed_at, now)


@dataclass(frozen=True)
class LibraryItem:
    title: str
    due_on: datetime.date
    renewable: bool
    url: str


@dataclass(frozen=True)
class LibrarySection:
    """The citizen page's 我的图书馆: the loans, soonest due first. ``bound`` False: no card
    yet (the page offers to bind or open one). ``unavailable``: the library did not answer
    the last time it was asked; the items are those of ``last_updated_at``."""

    items: tuple[LibraryItem, ...]
    updated_at: datetime.datetime | None
    unavailable: bool = False
    last_updated_at: datetime.datetime | None = None
    bound: bool = True
    url: str = LIBRARY_URL


def library_home_section(*, user: User) -> LibrarySection:
    card = library_card_for(user=user)
    if card is None:
        return LibrarySection(items=(), updated_at=None, bound=False)
    items = tuple(
        LibraryItem(
            title=loan.title,
            due_on=loan.due_on,
            renewable=loan.renewable,
            url=f"{LIBRARY_URL}#loan-{loan.item_id}",
        )
        for loan in card.loans.all()
    )
    down = library_unavailable(card)
    return LibrarySection(
        items=items,
        updated_at=card.synced_at,
        unavailable=down,
        last_updated_at=card.synced_at if down else None,
    )


@dataclass(frozen=True)
class LoanSummary:
    card_id: int
    item_id: str
    title: str
    due_on: datetime.date
    renewable: bool
    url: str


def loans_due_between(
    *, start: datetime.date, end: datetime.date, batch_size: int = 500
) -> Iterator[list[tuple[int, LoanSummary]]]:
    """Loans due on a day from ``start`` to ``end`` (both included), as batches of
    ``(user_id, LoanSummary)`` in loan order; never all of them in memory at once."""
    last = 0
    while True:
        rows = list(
            LoanRecord.objects.filter(pk__gt=last, due_on__range=(start, end))
            .order_by("pk")
            .values_list(
                "pk", "card_id", "card__user_id", "item_id", "title", "due_on", "renewable"
            )[:batch_size]
        )
        if not rows:
            return
        yield [
            (
                user_id,
                LoanSummary(
                    card_id=card_id,
                    item_id=item_id,
                    title=title,
                    due_on=due_on,
                    renewable=renewable,
                    url=f"{LIBRARY_URL}#loan-{item_id}",
                ),
            )
            for _pk, card_id, user_id, item_id, title, due_on, renewable in rows
        ]
        last = rows[-1][0]


# --- volunteering ------------------------------------------------------------------------


def volunteer_for(*, user: User) -> Volunteer | None:
    return Volunteer.objects.filter(user_id=user.pk).first()


def signups_of(*, volunteer: Volunteer) -> list[ActivitySignup]:
    return list(volunteer.signups.all())


def service_hours_of(*, volunteer: Volunteer) -> list[ServiceHour]:
    return list(volunteer.hours.all())


def volunteer_unavailable(volunteer: Volunteer) -> bool:
    """The last time OneWindow asked for the hours, the platform did not answer."""
    return volunteer.sync_failed_at is not None and (
        volunteer.synced_at is None or volunteer.sync_failed_at > volunteer.synced_at
    )


def volunteer_stale(*, volunteer: Volunteer, now: datetime.datetime) -> bool:
    return _stale(volunteer.synced_at, volunteer.sync_failed_at, now)


@dataclass(frozen=True)
class ActivitiesNear:
    activities: tuple[Activity, ...]
    region_code: str
    unavailable: bool = False


def activities_near(*, user: User, today: datetime.date) -> ActivitiesNear:
    """Activities in the resident's district (from their real-name record), soonest first;
    ``unavailable`` when the platform did not answer."""
    volunteer = volunteer_for(user=user)
    person = identity_selectors.person_for_user(user)
    region = (volunteer.region_code if volunteer else "") or (person.region_code if person else "")
    try:
        found = conf.volunteers().activities_near(region_code=region, on_or_after=today)
    except ProviderError:
        return ActivitiesNear((), region, unavailable=True)
    return ActivitiesNear(tuple(sorted(found, key=lambda a: a.starts_at)), region)


@dataclass(frozen=True)
class VolunteerSection:
    registered: bool
    total_hours: Decimal
    upcoming: tuple[tuple[str, datetime.datetime], ...]  # (activity title, starts at)
    updated_at: datetime.datetime | None
    unavailable: bool = False
    last_updated_at: datetime.datetime | None = None
    url: str = VOLUNTEER_URL


def volunteer_home_section(*, user: User, now: datetime.datetime | None = None) -> VolunteerSection:
    volunteer = volunteer_for(user=user)
    if volunteer is None:
        return VolunteerSection(False, Decimal("0"), (), None)
    upcoming = volunteer.signups.all()
    if now is not None:
        upcoming = upcoming.filter(starts_at__gte=now)
    down = volunteer_unavailable(volunteer)
    return VolunteerSection(
        registered=True,
        total_hours=volunteer.total_hours,
        upcoming=tuple((s.title, s.starts_at) for s in upcoming[:5]),
        updated_at=volunteer.synced_at,
        unavailable=down,
        last_updated_at=volunteer.synced_at if down else None,
    )


@dataclass(frozen=True)
class ClientSpec:
    """What an operator (or the demo) registers with OneWindow's OpenID Connect provider
    for the library's web system: ``sso.services.client_register(**spec.as_kwargs())``."""

    name: str
    client_id: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    extra_scopes: tuple[str, ...]

    def as_kwargs(self) -> dict[str, object]:
        return {
            "name": self.name,
            "client_id": self.client_id,
            "redirect_uris": list(self.redirect_uris),
            "post_logout_redirect_uris": list(self.post_logout_redirect_uris),
            "extra_scopes": list(self.extra_scopes),
        }


def library_web_client(*, base_urls: Iterable[str]) -> ClientSpec:
    """The library web system's client registration for the origins it is served at; its
    secret is ``library_web_secret()`` (``ONEPASS_LIBRARY_WEB_SECRET``, else derived from
    SECRET_KEY as the demo relying party's is)."""
    from onewindow.onepass.library_web import client

    bases = [base.rstrip("/") for base in base_urls]
    return ClientSpec(
        name=client.CLIENT_NAME,
        client_id=client.CLIENT_ID,
        redirect_uris=tuple(base + client.CALLBACK_PATH for base in bases),
        post_logout_redirect_uris=tuple(base + client.HOME_PATH for base in bases),
        extra_scopes=("realname",),
    )


def library_web_secret() -> str:
    from onewindow.onepass.library_web import client

    return client.client_secret()
