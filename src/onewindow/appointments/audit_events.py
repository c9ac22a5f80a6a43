"""The audit trail's event types that appointments writes: ``audit_record(action=...)``.

Each string is part of the trail's history: rows already written carry it, and the trail
is read and checked by these names. Never change one; a new kind of event gets a new name."""

from __future__ import annotations

BOOKING_CANCEL = "appointments.booking.cancel"
BOOKING_CHECK_IN = "appointments.booking.check_in"
BOOKING_CREATE = "appointments.booking.create"
BOOKING_NO_SHOW = "appointments.booking.no_show"
BOOKING_REMIND = "appointments.booking.remind"
RESOURCE_CREATE = "appointments.resource.create"
SLOTS_GENERATE = "appointments.slots.generate"
