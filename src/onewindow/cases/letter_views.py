"""The refusal letter as a PDF: the resident's own case (``cases/<number>/letter.pdf``) and the
staff case page (``workbench/cases/<number>/letter.pdf``, audited like a material download)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from onewindow.audit.services import Actor, audit_record
from onewindow.cases import audit_events, selectors
from onewindow.cases.letter_pdf import letter_pdf
from onewindow.cases.letters import letter_for_case, letter_view
from onewindow.cases.models import Case, DecisionLetter
from onewindow.core.access import RESIDENT, STAFF, access

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest


def _pdf_response(letter: DecisionLetter) -> HttpResponse:
    view = letter_view(letter)
    response = HttpResponse(letter_pdf(view), content_type="application/pdf")
    filename = f"{view.title}-{view.case_number}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    response["Cache-Control"] = "private, no-store"
    return response


def _letter(case: Case | None) -> DecisionLetter:
    letter = letter_for_case(case) if case is not None else None
    if letter is None:
        raise Http404
    return letter


@access(RESIDENT)
def case_letter_pdf(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    return _pdf_response(_letter(selectors.case_for_user(user=request.user, number=number)))


@access(STAFF)
def staff_letter_pdf(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    case = Case.objects.filter(number=number).select_related("service_version__service").first()
    if case is None or not selectors.staff_case_visible(user=request.user, case=case):
        raise Http404
    letter = _letter(case)
    with transaction.atomic():
        audit_record(
            actor=Actor.from_request(request),
            action=audit_events.LETTER_DOWNLOAD,
            target=letter,
            changes={"case": case.number, "number": letter.number},
            purpose=_("审批办件"),
        )
    return _pdf_response(letter)
