from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template

from onewindow.appointments.models import Booking
from onewindow.appointments.selectors import booking_for_case, case_needs_appointment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from onewindow.identity.models import User

register = template.Library()


@register.simple_tag
def case_booking(case: Any) -> Booking | None:
    return booking_for_case(case) if case is not None and case.pk else None


@register.simple_tag
def needs_appointment(case: Any) -> bool:
    return bool(case is not None and case_needs_appointment(case))


@register.inclusion_tag("appointments/partials/desk_links.html")
def desk_links(user: User | AnonymousUser | None) -> dict[str, Any]:
    """Links to the appointment desks of the offices the staff member is a window clerk for."""
    from onewindow.appointments.selectors import desk_resources_for

    return {
        "offices": desk_resources_for(user=user)
        if user is not None and user.is_authenticated
        else []
    }
