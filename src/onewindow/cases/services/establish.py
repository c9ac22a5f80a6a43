"""Establishment applications (企业设立登记, 企业开办一网通办): a person applies to set up a
company, and the company exists once the application is approved.

A package declares it with ``establishes:`` in service.yaml (docs/service-packages.md): the
answers that give the company's name, address and district, and the party (``parties:``)
who is its legal representative. On approval the case engine has the identity service create
the company with a new unified social credit code (at the issue of its business licence,
which is then the company's, when the process issues one); the legal representative named on the
form is linked when the platform knows them (the applicant themself, or a party whose
citizen ID and name match a real-name record), and from then on may authorise agents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from onewindow.audit.services import Actor
from onewindow.cases.models import Case, CaseParty
from onewindow.cases.services._common import event_row

if TYPE_CHECKING:
    from onewindow.identity.services import Establishment
    from onewindow.licences.signals import IssuedLicence

KNOWN = {CaseParty.Check.MATCHED, CaseParty.Check.SAME_PERSON}


def establishment_spec(definition: dict[str, Any] | None) -> dict[str, Any] | None:
    spec = (definition or {}).get("establishes")
    return spec if isinstance(spec, dict) and spec.get("kind") == "company" else None


def _answer(case: Case, key: Any) -> str:
    value = (case.form_data or {}).get(str(key or "")) if key else None
    return str(value).strip() if value not in (None, "") else ""


def _representative(case: Case, spec: dict[str, Any]) -> tuple[str, int | None]:
    """The legal representative's name (as written) and person (when known): the party the
    package names, else the applicant."""
    code = spec.get("legal_representative")
    if code:
        party = case.parties.filter(code=str(code)).first()
        if party is not None:
            person_id = party.person_id if party.record_check in KNOWN else None
            return party.name, person_id
    applicant = case.applicant_person
    return (applicant.name if applicant else ""), case.applicant_person_id


def establishment_for(case: Case) -> Establishment | None:
    """What the company an establishment case registers is to be (its name, address,
    district and legal representative, from the answers and parties), for the step that
    creates it; None: not an establishment package, or the case has no number yet."""
    from onewindow.identity.services import Establishment

    spec = establishment_spec(case.service_version.definition)
    if spec is None or not case.number or case.pk is None:
        return None
    name, person_id = _representative(case, spec)
    return Establishment(
        case_number=case.number,
        name=_answer(case, spec.get("name")),
        legal_representative_name=name,
        legal_representative_id=person_id,
        region_code=_answer(case, spec.get("region")),
        address=_answer(case, spec.get("address")),
    )


def case_establish(case: Case) -> Any | None:
    """Create (once) the company an establishment case registers, and put it on the case's
    timeline. Runs in the transaction of the engine step that establishes it: the issue of
    the business licence (``licences.issue`` creates the company from the case's
    ``establishment`` context and issues the licence to it: a company exists from the day its
    licence is issued; :func:`licence_issued_receive` then notes it here), else the case's
    approval. None: not an establishment package."""
    from onewindow.identity.services import company_establish

    establishment = establishment_for(case)
    if establishment is None:
        return None
    company = company_establish(actor=Actor.system("cases.engine"), establishment=establishment)
    if not case.events.filter(kind="company_established").exists():
        row = event_row(
            case,
            "company_established",
            actor_label=_("系统"),
            message=_("企业已设立：%(name)s，统一社会信用代码 %(uscc)s")
            % {
                "name": company.name,
                "uscc": company.uscc,
            },
            data={"uscc": company.uscc},
        )
        row.save(force_insert=True)
    return company


def licence_issued_receive(sender: Any, licence: IssuedLicence, **kwargs: Any) -> None:
    """``licences.signals.licence_issued``: a licence a case's process issued — for an
    establishment case the company it was issued to now exists, and the case's timeline
    says so (once). Runs in the issuing transaction."""
    if licence.case_id is None or licence.holder_company_id is None:
        return
    case = (
        Case.objects.select_related("service_version", "applicant_person")
        .filter(pk=licence.case_id)
        .first()
    )
    if case is not None:
        case_establish(case)
