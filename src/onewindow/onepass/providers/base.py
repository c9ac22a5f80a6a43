"""What OneWindow asks of a library's circulation system and of a volunteer platform, as
Protocols with typed, frozen values at the boundary. ``fake.py`` serves the demo and the
tests; ``sip2.py`` speaks SIP2 to a library; ``volunteer_http.py`` speaks the volunteer
provider interface OneWindow publishes (docs/volunteer-provider-openapi.yaml)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Protocol


class ProviderError(Exception):
    """The other system could not be asked or answered something we cannot use (down, late,
    a bad checksum, garbage). Nothing it said is taken as data."""


class ProviderRefused(Exception):
    """The other system answered and said no (unknown card, wrong password, item not
    renewable); ``reason`` is its screen message, if it gave one."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


# --- the library -------------------------------------------------------------------------


@dataclass(frozen=True)
class Patron:
    patron_id: str
    name: str  # the personal name the library holds (SIP2 AE)
    valid: bool  # the library knows this card (SIP2 BL)
    password_ok: bool  # the password matched (SIP2 CQ)
    blocked: bool  # charge or renewal privileges denied, card lost… (patron status)
    screen_message: str = ""


@dataclass(frozen=True)
class Loan:
    item_id: str
    title: str
    author: str
    due_on: datetime.date
    renewable: bool = True


@dataclass(frozen=True)
class HoldItem:
    item_id: str
    title: str
    available: bool = False  # waiting on the hold shelf


@dataclass(frozen=True)
class PatronAccount:
    patron: Patron
    loans: tuple[Loan, ...] = ()
    holds: tuple[HoldItem, ...] = ()


@dataclass(frozen=True)
class Item:
    item_id: str
    title: str
    author: str
    available: bool
    due_on: datetime.date | None = None
    hold_queue: int = 0
    location: str = ""


@dataclass(frozen=True)
class RenewOutcome:
    item_id: str
    title: str
    due_on: datetime.date


@dataclass(frozen=True)
class HoldOutcome:
    item_id: str
    title: str
    queue_position: int | None = None
    pickup_location: str = ""
    available: bool = False


class LibraryProvider(Protocol):
    name: str

    def patron_get(self, *, patron_id: str, password: str) -> Patron: ...

    def account_get(self, *, patron_id: str, password: str) -> PatronAccount: ...

    def loan_renew(self, *, patron_id: str, password: str, item_id: str) -> RenewOutcome: ...

    def hold_place(self, *, patron_id: str, password: str, item_id: str) -> HoldOutcome: ...

    def item_get(self, *, item_id: str) -> Item: ...

    def patron_register(self, *, name: str, id_number: str, phone: str) -> tuple[str, str]:
        """Open a card for a real-name resident: (patron id, initial password)."""
        ...


# --- volunteering ------------------------------------------------------------------------


@dataclass(frozen=True)
class VolunteerProfile:
    volunteer_id: str
    name: str
    region_code: str
    total_hours: float = 0.0


@dataclass(frozen=True)
class Activity:
    activity_id: str
    title: str
    organiser: str
    region_code: str
    place: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    hours: float
    capacity: int
    joined: int
    description: str = ""

    @property
    def full(self) -> bool:
        return self.joined >= self.capacity


@dataclass(frozen=True)
class ServiceRecord:
    record_id: str
    activity_id: str
    title: str
    served_on: datetime.date
    hours: float
    organiser: str = ""


@dataclass(frozen=True)
class VolunteerHours:
    volunteer_id: str
    total_hours: float
    records: tuple[ServiceRecord, ...] = field(default_factory=tuple)


class VolunteerConnector(Protocol):
    name: str

    def volunteer_register(
        self, *, id_number: str, name: str, phone: str, region_code: str
    ) -> VolunteerProfile: ...

    def activities_near(
        self, *, region_code: str, on_or_after: datetime.date
    ) -> list[Activity]: ...

    def activity_join(self, *, volunteer_id: str, activity_id: str) -> Activity: ...

    def hours_get(self, *, volunteer_id: str) -> VolunteerHours: ...
