"""The resident picks an appointment slot for a draft whose service needs one (between the
materials and check-your-answers)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from onewindow.appointments import selectors, services
from onewindow.audit.services import Actor
from onewindow.cases import selectors as case_selectors
from onewindow.core.access import RESIDENT, access
from onewindow.core.errors import ApplicationError
from onewindow.core.numbers import is_ascii_number

STEPS = [
    ("form", "填写申请表"),
    ("materials", "上传材料"),
    ("slot", "预约时段"),
    ("review", "核对并提交"),
]


@access(RESIDENT)
def draft_slot(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_selectors.draft_for_user(user=request.user, case_id=case_id)
    if case is None:
        raise Http404
    if not selectors.case_needs_appointment(case):
        return redirect("cases:draft_review", case_id=case.pk)
    definition = case.service_version.definition
    offices = selectors.resources_for_definition(definition)
    booking = selectors.booking_for_case(case)
    wanted = request.GET.get("office", "")[:64] or (booking.slot.resource.code if booking else "")
    resource = selectors.resource_for_definition(definition, code=wanted or None)
    error = ""
    if request.method == "POST":
        raw = request.POST.get("slot", "")
        if not is_ascii_number(raw):
            error = _("请选择一个预约时段。")
        else:
            try:
                services.booking_create(
                    user=request.user,
                    case=case,
                    slot_id=int(raw),
                    actor=Actor.from_request(request),
                )
                return redirect("cases:draft_review", case_id=case.pk)
            except ApplicationError as exc:
                error = str(exc.message)
    booking = selectors.booking_for_case(case)
    days = selectors.open_slots_by_day(resource=resource) if resource else []
    chosen = booking.slot_id if booking else None
    open_day = next(
        (d.day for d in days if any(s.pk == chosen for s in d.slots)),
        days[0].day if days else None,
    )
    return render(
        request,
        "appointments/draft_slot.html",
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
            "steps": [
                {"key": k, "label": _(label), "current": k == "slot", "number": i + 1}
                for i, (k, label) in enumerate(STEPS)
            ],
        },
        status=422 if error else 200,
    )
