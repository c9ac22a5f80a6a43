"""Appointment slots over the API, so a department system or app can book the slot that a
service needs (``appointment_slot`` in ``POST /api/v1/cases``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from onewindow.api.auth import session_or_bearer
from onewindow.api.errors import ErrorOut
from onewindow.appointments.selectors import open_slots_by_day, resource_for_definition
from onewindow.catalog.selectors import service_version_in_force
from onewindow.core.errors import NotFound

router = Router(tags=["appointments"])


class SlotOut(Schema):
    id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    places_left: int


class SlotsOut(Schema):
    service: str
    resource: str
    resource_name: str
    address: str
    slots: list[SlotOut]


@router.get(
    "/services/{code}/slots",
    auth=session_or_bearer,
    response={200: SlotsOut, 404: ErrorOut},
    summary="Open appointment slots of a service that needs an appointment",
)
def service_slots(
    request: HttpRequest, code: str, days: int = 10, resource: str = ""
) -> dict[str, object]:
    """``resource``: one of the service's offices (a marriage: the registry); the first by
    default."""
    version = service_version_in_force(code=code)
    definition = version.definition if version is not None else None
    office = resource_for_definition(definition, code=resource[:64] or None)
    if resource and office is not None and office.code != resource:
        office = None
    return _slots(version, code, office, days)


def _slots(version: Any, code: str, resource: Any, days: int) -> dict[str, object]:
    if version is None or resource is None:
        raise NotFound(_("该服务无需预约或不存在。"), code="no_appointment")
    days = max(1, min(days, 30))
    return {
        "service": code,
        "resource": resource.code,
        "resource_name": resource.name,
        "address": resource.address,
        "slots": [
            {
                "id": slot.pk,
                "starts_at": slot.starts_at,
                "ends_at": slot.ends_at,
                "places_left": slot.capacity - slot.booked,
            }
            for day in open_slots_by_day(resource=resource, days=days)
            for slot in day.slots
        ],
    }


# The office's desk (window clerks): the day's bookings, check-in and no-show.
from onewindow.appointments.desk_api import router as desk_router  # noqa: E402

router.add_router("/", desk_router)
