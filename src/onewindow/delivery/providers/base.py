"""The courier Protocol and the typed data that crosses it."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


class CourierError(Exception):
    """The courier could not be reached or refused the request. ``code`` is the vendor's
    error code when it gave one."""

    def __init__(self, message: str, *, code: str = "", retryable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable


class SignatureInvalid(Exception):
    """A message claiming to come from the courier is not signed by it."""


@dataclass(frozen=True)
class Party:
    name: str
    phone: str
    address: str
    region_code: str = ""


@dataclass(frozen=True)
class ShipmentRequest:
    key: str  # idempotency key (the courier's order id is derived from it)
    order_id: str
    sender: Party
    recipient: Party
    contents: str
    pickup_from: datetime.datetime | None = None  # 上门取件: when the courier should come
    pickup_until: datetime.datetime | None = None


@dataclass(frozen=True)
class TrackRef:
    tracking_no: str
    order_id: str
    created_at: datetime.datetime
    kind: str = "deliver"
    phone_tail: str = ""  # last four digits of a party's phone (some couriers ask for it)


@dataclass(frozen=True)
class TrackingUpdate:
    at: datetime.datetime
    status: str
    description: str
    location: str = ""
    op_code: str = ""


@dataclass(frozen=True)
class PushedRoute:
    """One route node of a verified push, with the waybill and order it belongs to."""

    tracking_no: str
    order_id: str
    update: TrackingUpdate


@dataclass(frozen=True)
class PushReceipt:
    """A verified push: its id and the routes it carries (parsed, not applied)."""

    request_id: str
    body: str
    routes: list[PushedRoute] = field(default_factory=list)


class Courier(Protocol):
    name: str
    pushes: bool  # sends route pushes: poll only shipments the pushes have gone quiet on

    def create(self, request: ShipmentRequest) -> str:
        """Book the shipment; returns the tracking number (the same for the same order id)."""
        ...

    def cancel(self, ref: TrackRef) -> None:
        """Cancel an order the courier has not collected yet (idempotent)."""
        ...

    def track(self, ref: TrackRef, *, now: datetime.datetime) -> list[TrackingUpdate]:
        """Every tracking event so far, oldest first."""
        ...

    def verify_push(self, params: Mapping[str, str]) -> PushReceipt:
        """Check a route push's signature and parse it; raises ``SignatureInvalid``."""
        ...

    def parse_push(self, body: str) -> list[PushedRoute]:
        """The routes of a push body stored earlier (already verified)."""
        ...
