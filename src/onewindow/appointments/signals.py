"""What appointments tells other apps.

``booking_marked`` is sent when the office checks somebody in for a case's booking or marks
that nobody came, inside that use case's transaction, with ``mark=`` a :class:`BookingMark`:
the cases app writes the case's timeline entry from it. A receiver that raises undoes the
mark."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.dispatch import Signal

booking_marked = Signal()

ATTENDED = "attended"
NO_SHOW = "no_show"


@dataclass(frozen=True)
class BookingMark:
    booking_id: int
    case_id: int
    outcome: str  # ATTENDED (a check-in) or NO_SHOW
    everybody: bool  # after a check-in: everybody expected is here (the booking is 已到场)
    arrived: tuple[str, ...]  # the labels of those checked in now (申请人, 对方 …)
    earlier: bool  # others had been checked in before them
    place: str  # the office's name
    starts_at: datetime.datetime  # the slot's start
