"""The office's desk (预约到场): the window clerks of an appointment office's department see
the day's bookings slot by slot — masked names, case numbers, status — and check applicants
in or mark them as not come."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.appointments import selectors, services
from onewindow.appointments.models import Booking
from onewindow.audit.services import Actor
from onewindow.core.access import STAFF, access
from onewindow.core.errors import ApplicationError
from onewindow.core.numbers import is_ascii_number

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest

ACTIONS: dict[str, Callable[..., Booking]] = {
    "check_in": services.booking_check_in,
    "no_show": services.booking_mark_no_show,
}


@access(STAFF)
def desk(request: AuthenticatedHttpRequest) -> HttpResponse:
    offices = selectors.desk_resources_for(user=request.user)
    if len(offices) == 1:
        return redirect("appointments:desk_day", code=offices[0].code)
    return render(request, "appointments/desk.html", {"offices": offices})


def parse_day(raw: str, *, today: datetime.date) -> tuple[datetime.date | None, str]:
    """The ``day`` query parameter (YYYY-MM-DD; today when empty) or a field error."""
    if not raw:
        return today, ""
    try:
        return datetime.date.fromisoformat(raw.strip()), ""
    except ValueError:
        return None, _("请输入正确的日期，例如 %(example)s。") % {"example": today.isoformat()}


@access(STAFF)
def desk_day(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    resource = selectors.desk_resource(user=request.user, code=code)
    if resource is None:
        raise Http404
    today = timezone.localdate()
    raw = request.GET.get("day", "")[:32]
    day, day_error = parse_day(raw, today=today)
    if request.method == "POST":
        _mark(request)
        target = reverse("appointments:desk_day", kwargs={"code": resource.code})
        return redirect(f"{target}?day={(day or today).isoformat()}")
    slots = selectors.desk_day(resource=resource, day=day) if day else []
    bookings = [b for s in slots for b in s.bookings]
    shown = day or today
    return render(
        request,
        "appointments/desk_day.html",
        {
            "resource": resource,
            "day": day,
            "raw_day": raw,
            "day_error": day_error,
            "today": today,
            "previous_day": shown - datetime.timedelta(days=1),
            "next_day": shown + datetime.timedelta(days=1),
            "slots": [s for s in slots if s.bookings],
            "empty_slots": sum(1 for s in slots if not s.bookings),
            "total": len(bookings),
            "attended": sum(1 for b in bookings if b.status == Booking.Status.ATTENDED),
            "no_show": sum(1 for b in bookings if b.status == Booking.Status.NO_SHOW),
            "waiting": sum(1 for b in bookings if b.status == Booking.Status.BOOKED),
        },
        status=422 if day_error else 200,
    )


def _mark(request: AuthenticatedHttpRequest) -> None:
    raw_id = request.POST.get("booking", "")
    action = ACTIONS.get(request.POST.get("action", ""))
    if not is_ascii_number(raw_id) or action is None:
        messages.error(request, _("请选择要签到或标记未到场的预约。"))
        return
    attendee = request.POST.get("attendee", "")[:32] or None
    try:
        if attendee is not None and action is services.booking_check_in:
            booking = services.booking_check_in(
                user=request.user,
                booking_id=int(raw_id),
                attendee=attendee,
                actor=Actor.from_request(request),
            )
        else:
            booking = action(
                user=request.user, booking_id=int(raw_id), actor=Actor.from_request(request)
            )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return
    name = booking.person.masked_name if booking.person else "—"
    if attendee is not None and request.POST.get("action") == "check_in":
        person = next(
            (p for p in selectors.expected_attendees(booking) if p.code == attendee), None
        )
        name = person.masked_name if person is not None else name
    if booking.status == Booking.Status.ATTENDED:
        messages.success(request, _("%(name)s 已签到。") % {"name": name})
    elif request.POST.get("action") == "check_in":
        messages.success(request, _("%(name)s 已签到，等待其他相关人到场。") % {"name": name})
    else:
        messages.success(request, _("%(name)s 已标记为未到场。") % {"name": name})
