"""Reads: which resource a service books, the open slots per day, a case's booking."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.appointments.models import AppointmentResource, Booking, Slot
from onewindow.core.errors import FieldError

APPOINTMENT_FIELD = "appointment"


def appointment_resource_code(definition: dict[str, Any] | None) -> str | None:
    """The ``appointment.resource`` of a service definition, or None (``appointment: false``)."""
    spec = (definition or {}).get("appointment")
    if isinstance(spec, dict) and spec.get("resource"):
        return str(spec["resource"])
    return None


def resource_for_definition(definition: dict[str, Any] | None) -> AppointmentResource | None:
    code = appointment_resource_code(definition)
    if code is None:
        return None
    return AppointmentResource.objects.filter(code=code, is_active=True).first()


def case_needs_appointment(case: Any) -> bool:
    return appointment_resource_code(case.service_version.definition) is not None


def booking_for_case(case: Any) -> Booking | None:
    return (
        Booking.objects.filter(case_id=case.pk, status=Booking.Status.BOOKED)
        .select_related("slot__resource")
        .first()
    )


def appointment_errors(case: Any) -> list[FieldError]:
    """A field error when the case's service needs an appointment and none is booked."""
    if not case_needs_appointment(case) or booking_for_case(case) is not None:
        return []
    return [
        FieldError(code="required", message=_("请预约到场办理的时段。"), field=APPOINTMENT_FIELD)
    ]


@dataclass(frozen=True)
class SlotDay:
    day: datetime.date
    slots: list[Slot]


def open_slots_by_day(
    *, resource: AppointmentResource, now: datetime.datetime | None = None, days: int = 10
) -> list[SlotDay]:
    """Slots of the next ``days`` days that have a slot at all, each with places left and
    starting after ``now``; grouped per day in time order."""
    now = now or timezone.now()
    slots = (
        Slot.objects.filter(resource=resource, starts_at__gt=now, booked__lt=F("capacity"))
        .order_by("starts_at")
        .select_related("resource")
    )
    grouped: dict[datetime.date, list[Slot]] = {}
    for slot in slots.iterator():
        if slot.day not in grouped and len(grouped) >= days:
            break
        grouped.setdefault(slot.day, []).append(slot)
    return [SlotDay(day=day, slots=items) for day, items in grouped.items()]
