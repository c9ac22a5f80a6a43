"""The office's desk over the API: the day's bookings by slot, check-in and no-show, for the
window clerks of the office's department (the same data and rules as the desk page)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from onewindow.api.auth import session_or_bearer
from onewindow.appointments import selectors, services
from onewindow.appointments.models import Booking
from onewindow.audit.services import Actor
from onewindow.core.errors import NotFound, PermissionDenied

router = Router(tags=["appointments"])


class DeskAttendeeOut(Schema):
    code: str  # applicant, partner …
    label: str
    name: str  # masked
    checked_in: bool
    can_check_in: bool


class DeskBookingOut(Schema):
    id: int
    name: str
    case_number: str
    service: str
    status: str
    status_label: str
    marked_at: datetime.datetime | None
    can_check_in: bool
    can_mark_no_show: bool
    attendees: list[DeskAttendeeOut]  # who the service expects (a marriage: both parties)


class DeskSlotOut(Schema):
    id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int
    booked: int
    bookings: list[DeskBookingOut]


class DeskDayOut(Schema):
    resource: str
    resource_name: str
    day: datetime.date
    slots: list[DeskSlotOut]


class MarkedOut(Schema):
    id: int
    status: str
    status_label: str
    marked_at: datetime.datetime | None
    checked_in: list[str]


class ErrorItem(Schema):
    code: str
    message: str
    field: str | None


class ErrorOut(Schema):
    errors: list[ErrorItem]


# The refusals of each use case; the API adds 400, 401, 403 (CSRF), 413 and 422 by the
# operation's shape (onewindow.api.openapi).
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _clerk(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if getattr(user, "kind", "") not in {"staff", "operator"}:
        raise PermissionDenied(_("只有工作人员可以查看预约到场情况。"), code="staff_only")
    return user


@router.get(
    "/appointments/desk/{code}",
    auth=session_or_bearer,
    response={200: DeskDayOut, 403: ErrorOut, 404: ErrorOut},
    summary="The day's bookings of an appointment office, by slot (its window clerks)",
)
def desk_day(request: HttpRequest, code: str, day: datetime.date | None = None) -> dict[str, Any]:
    resource = selectors.desk_resource(user=_clerk(request), code=code)
    if resource is None:
        raise NotFound(_("没有找到该预约场所，或您不是其所属部门的窗口人员。"), code="no_desk")
    day = day or timezone.localdate()
    return {
        "resource": resource.code,
        "resource_name": resource.name,
        "day": day,
        "slots": selectors.desk_day(resource=resource, day=day),
    }


def _marked(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.pk,
        "status": booking.status,
        "status_label": str(Booking.Status(booking.status).label),
        "marked_at": booking.marked_at,
        "checked_in": list(booking.checked_in or []),
    }


@router.post(
    "/appointments/bookings/{booking_id}/check-in",
    auth=session_or_bearer,
    response={200: MarkedOut, **ERRORS},
    summary="Check a person in (on the slot's day; again changes nothing)",
)
def booking_check_in(
    request: HttpRequest, booking_id: int, attendee: str | None = None
) -> dict[str, Any]:
    """``attendee``: one of the booking's attendees (``applicant``, ``partner`` …); all of
    them when left out. The booking is attended once everybody expected is checked in."""
    booking = services.booking_check_in(
        user=_clerk(request),
        booking_id=booking_id,
        attendee=attendee[:32] if attendee else None,
        actor=Actor.from_request(request),
    )
    return _marked(booking)


@router.post(
    "/appointments/bookings/{booking_id}/no-show",
    auth=session_or_bearer,
    response={200: MarkedOut, **ERRORS},
    summary="Mark that nobody came (once the slot started; again changes nothing)",
)
def booking_no_show(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    booking = services.booking_mark_no_show(
        user=_clerk(request), booking_id=booking_id, actor=Actor.from_request(request)
    )
    return _marked(booking)
