"""Whose citizen pages a booking alters (``onewindow.core.home``): the person booked for
and the account that booked. Watched from ``AppointmentsConfig.ready()``; the services that
change bookings without ``save()`` call :func:`bookings_home_changed` themselves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from onewindow.core.home import HomeAudience, home_changed, home_watch


def bookings_home_changed(*, booking_ids: Iterable[int]) -> None:
    from onewindow.appointments.models import Booking

    rows = list(
        Booking.objects.filter(pk__in=list(booking_ids)).values_list("person_id", "created_by_id")
    )
    home_changed(person_ids=[p for p, _ in rows], user_ids=[u for _, u in rows])


def _booking(booking: Any) -> HomeAudience:
    return HomeAudience.of(person_ids=[booking.person_id], user_ids=[booking.created_by_id])


def watch() -> None:
    home_watch("appointments.Booking", _booking)
