"""The refusal letter on the case pages: ``{% decision_letter_resident case %}`` (the
resident's outcome section: the decision, its reasons with the figures, the records used,
the remedies and the PDF) and ``{% decision_letter_staff case %}`` (the staff case page, the
addressee's name masked)."""

from __future__ import annotations

from typing import Any

from django import template

from onewindow.cases.letters import letter_for_case, letter_view
from onewindow.cases.models import Case
from onewindow.core.masking import mask_name

register = template.Library()


def _context(case: Case, *, staff: bool) -> dict[str, Any]:
    letter = letter_for_case(case) if case.status == Case.Status.REJECTED else None
    view = letter_view(letter) if letter is not None else None
    addressee = view.addressee if view is not None else ""
    return {
        "case": case,
        "letter": view,
        "addressee": mask_name(addressee) if staff and case.applicant_person_id else addressee,
    }


@register.inclusion_tag("cases/letter_resident.html")
def decision_letter_resident(case: Case) -> dict[str, Any]:
    return _context(case, staff=False)


@register.inclusion_tag("cases/letter_staff.html")
def decision_letter_staff(case: Case) -> dict[str, Any]:
    return _context(case, staff=True)
