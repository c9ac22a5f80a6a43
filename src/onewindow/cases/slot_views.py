"""The resident picks an appointment slot for a draft whose service needs one (between the
materials and check-your-answers): the appointments app's slots, booked for the case by
``cases.services.case_appointment_book``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from onewindow.appointments import selectors as appointments
from onewindow.audit.services import Actor
from onewindow.cases import selectors, services
from onewindow.cases.resident_views import _steps
from onewindow.core.access import RESIDENT, access
from onewindow.core.errors import ApplicationError
from onewindow.core.numbers import is_ascii_number

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest


@access(RESIDENT)
def draft_slot(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = selectors.draft_for_user(user=request.user, case_id=case_id)
    if case is None:
        raise Http404
    if not appointments.case_needs_appointment(case):
        return redirect("cases:draft_review", case_id=case.pk)
    definition = case.service_version.definition
    offices = appointments.resources_for_definition(definition)
    booking = appointments.booking_for_case(case)
    wanted = request.GET.get("office", "")[:64] or (booking.slot.resource.code if booking else "")
    resource = appointments.resource_for_definition(definition, code=wanted or None)
    error = ""
    if request.method == "POST":
        raw = request.POST.get("slot", "")
        if not is_ascii_number(raw):
            error = _("请选择一个预约时段。")
        else:
            try:
                services.case_appointment_book(
                    user=request.user,
                    case_id=case.pk,
                    slot_id=int(raw),
                    actor=Actor.from_request(request),
                )
                return redirect("cases:draft_review", case_id=case.pk)
            except ApplicationError as exc:
                error = str(exc.message)
    booking = appointments.booking_for_case(case)
    days = appointments.open_slots_by_day(resource=resource) if resource else []
    chosen = booking.slot_id if booking else None
    open_day = next(
        (d.day for d in days if any(s.pk == chosen for s in d.slots)),
        days[0].day if days else None,
    )
    return render(
        request,
        "cases/draft_slot.html",
        {
            "case": case,
            "service": case.service_version.service,
            "resource": resource,
            "offices": offices if len(offices) > 1 else [],
            "days": days,
            "booking": booking,
            "chosen": chosen,
            "open_day": open_day,
            "error": error,
            "steps": _steps("slot", case),
        },
        status=422 if error else 200,
    )
