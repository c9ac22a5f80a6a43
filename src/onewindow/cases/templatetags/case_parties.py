"""The persons named on an application, for the case pages: ``{% case_parties_applicant %}``
(the applicant's page: who must agree, and the SMS-code path while the case waits) and
``{% case_parties_staff case %}`` (the task and case pages: each party's consent and every
mismatch with the records, as a warning)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template

from onewindow.cases.models import Case, CaseParty
from onewindow.cases.party_selectors import (
    applicant_record_warnings,
    case_party_lines,
    joint_cases_for,
    requester_name,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from onewindow.identity.models import User

register = template.Library()


def _variables(case: Case) -> dict[str, Any]:
    if not case.process_state:
        return {}
    from onewindow.cases.services.process import restore

    return dict(restore(case).data())


@register.inclusion_tag("cases/partials/parties_staff.html")
def case_parties_staff(case: Case) -> dict[str, Any]:
    variables = _variables(case)
    return {
        "case": case,
        "lines": case_party_lines(case, variables),
        "applicant_warnings": applicant_record_warnings(case, variables),
    }


@register.inclusion_tag("cases/partials/parties_applicant.html", takes_context=True)
def case_parties_applicant(context: template.Context, case: Case) -> dict[str, Any]:
    from onewindow.cases.party_views import code_error
    from onewindow.cases.services.parties import party_phone, resource_names
    from onewindow.core.masking import mask_phone

    request = context.get("request")
    waiting = case.status == Case.Status.CONSENT
    rows = []
    for party in case.parties.exclude(consent=CaseParty.Consent.NOT_NEEDED).order_by("pk"):
        open_ = waiting and party.consent == CaseParty.Consent.PENDING
        phone = party_phone(party) if open_ else ""
        rows.append(
            {
                "party": party,
                "records": resource_names(party.lookups),
                "open": open_,
                "phone": mask_phone(phone) if phone else "",
                "error": code_error(request, party) if open_ else "",
            }
        )
    return {"case": case, "rows": rows, "waiting": waiting, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("cases/partials/joint_cases.html")
def joint_cases(user: User | AnonymousUser | None) -> dict[str, Any]:
    """我的办件: the cases the resident is a joint applicant of (another person applied)."""
    rows = joint_cases_for(user=user) if user is not None and user.is_authenticated else []
    return {"rows": [(row, requester_name(row)) for row in rows]}
