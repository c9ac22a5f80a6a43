"""Frozen values one app hands another instead of its model rows.

A service task's action (licences, delivery, payments, exchange, notify) learns which case
it works for from a :class:`CaseRef` in its context (``ctx.context["case"]``), not by
loading ``cases.models.Case``: the case stays the cases app's row."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PartyRef:
    """A person a case names besides its applicant, who agreed to take part (a spouse in a
    joint marriage registration): the party's code in the package and the person's id."""

    code: str
    person_id: int
    joint: bool = False  # a joint applicant (共同申请人): sees the case, holds a licence copy


@dataclass(frozen=True)
class CaseRef:
    id: int
    number: str  # the case number (办件编号); '' before it is numbered
    service_code: str
    applicant_person_id: int | None
    applicant_company_id: int | None
    department_code: str  # the department that owns the case
    service_name: str = ""
    parties: tuple[PartyRef, ...] = field(default_factory=tuple)
    # The account that applied (a company's case: its agent's), and the reason recorded for a
    # refusal ('' until one is): what the ``notify.send`` action tells the applicant with.
    applicant_user_id: int | None = None
    outcome_note: str = ""
    # The number of the service's version the case runs under: its package (definition, form
    # schema) is ``catalog.selectors.service_version_get(code=service_code, number=…)``.
    service_version: int = 0
    # The office the applicant came to in person (the booking they were checked in for);
    # '' when the case has none.
    attended_office: str = ""

    def party(self, code: str) -> PartyRef | None:
        return next((p for p in self.parties if p.code == code), None)
