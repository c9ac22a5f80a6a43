"""What the appointments app is told of the cases its bookings are for (registered with it in
``CasesConfig.ready()``): the number, the service, the persons the case names, the joint
applicants to remind, and whether the case has ended or been called off."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from onewindow.appointments.selectors import BookingCase, NamedPerson
from onewindow.cases.models import Case, CaseParty
from onewindow.catalog.persons import APPLICANT, party_specs

CALLED_OFF = (Case.Status.WITHDRAWN, Case.Status.REJECTED)  # nobody is to come


def booking_cases(case_ids: Sequence[int]) -> dict[int, BookingCase]:
    """The cases of ``case_ids``, in two queries: the applicant (or the company's agent)
    first, then the parties in the order named."""
    cases = {
        case.pk: case
        for case in Case.objects.filter(pk__in=list(case_ids)).select_related(
            "service_version__service", "applicant_person", "agent"
        )
    }
    persons: dict[int, list[NamedPerson]] = {}
    phones: dict[int, dict[str, str]] = {}
    joint: dict[int, set[str]] = {}
    for case in cases.values():
        person = case.agent if case.applicant_company_id else case.applicant_person
        persons[case.pk] = [
            NamedPerson(
                code=APPLICANT,
                label=_("申请人"),
                masked_name=person.masked_name if person is not None else "—",
                person_id=person.pk if person is not None else None,
            )
        ]
        phones[case.pk] = {}
        joint[case.pk] = {s.code for s in party_specs(case.service_version.definition) if s.joint}
    rows = CaseParty.objects.filter(case_id__in=list(cases)).select_related("person")
    for row in rows.order_by("case_id", "pk"):
        persons[row.case_id].append(
            NamedPerson(
                code=row.code,
                label=row.label,
                masked_name=row.masked_name or "—",
                person_id=row.person_id,
            )
        )
        agreed = row.consent == CaseParty.Consent.GIVEN and row.person is not None
        if agreed and row.code in joint[row.case_id] and row.person and row.person.phone:
            phones[row.case_id][row.code] = str(row.person.phone)
    return {
        pk: BookingCase(
            id=pk,
            number=case.number or "",
            service_name=case.service_version.service.display_name,
            definition=case.service_version.definition,
            persons=tuple(persons[pk]),
            joint_phones=phones[pk],
            concluded=case.concluded_at is not None,
            called_off=case.status in CALLED_OFF,
        )
        for pk, case in cases.items()
    }
