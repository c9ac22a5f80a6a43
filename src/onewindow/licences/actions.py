"""The case engine's ``licences.issue`` service task: issue a real licence to the applicant."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from onewindow.audit.services import Actor
from onewindow.core.refs import CaseRef


def _case(ctx: Any) -> CaseRef:
    case = ctx.context.get("case")
    if not isinstance(case, CaseRef):
        raise ValueError("licences.issue runs for a case")
    return case


def issue_from_case(ctx: Any) -> dict[str, Any]:
    """Issue the licence named by the task's ``licence_type`` parameter to the case's
    applicant (the company for an enterprise case). Idempotent by the action's key: a retry
    returns the licence issued the first time.

    When the package's ``outcome`` (or an entry of its ``bundle``) declares this licence
    type, the licence states what the
    decision granted: its ``particulars`` from the case's answers and the staff's findings
    (the process variables), the ``validity`` the package gives it (else the type's), and
    the ``issuer`` department (else the type's, else the service's).

    What it knows of the case is in the context the case engine gives it: the ``CaseRef``
    (``case``), the answers (``form_data``) and, for an establishment package, the company it
    registers (``establishment``): that company is created now and holds the licence."""
    from onewindow.catalog.packages.declared import licence_declaration
    from onewindow.catalog.packages.licence_outcome import particular_value
    from onewindow.catalog.selectors import service_version_get
    from onewindow.identity.selectors import department_get
    from onewindow.licences.services import LicenceError, licence_issue

    case = _case(ctx)
    code = str(ctx.params.get("licence_type", ""))
    extra = {
        str(k): v
        for k, v in ctx.params.items()
        if k != "licence_type" and isinstance(v, str | int | float | bool)
    }
    claims = {"caseNumber": case.number, "serviceCode": ctx.context.get("service_code", "")}
    version = service_version_get(code=case.service_code, number=case.service_version)
    # the outcome, or the entry of its bundle (a 一件事 issues each licence it bundles)
    declared = licence_declaration(version.definition, code)
    answers = {**(ctx.context.get("form_data") or {}), **(ctx.data or {})}
    particulars = [
        {
            "label": str((item.get("label") or {}).get("zh") or ""),
            "value": particular_value(item, answers=answers, form_schema=version.form_schema),
            "public": bool(item.get("public", True)),
        }
        for item in declared.get("particulars") or []
    ]
    validity = declared.get("validity")
    if isinstance(validity, dict) and "until" in validity:  # to a date answered
        validity = {"until": "date", "date": str(answers.get(str(validity["until"])) or "")}
    elif isinstance(validity, dict):  # by the applicant's choice: resolve it to a period now
        validity = (validity.get("periods") or {}).get(str(answers.get(validity.get("answer"))))
        if validity is None:
            raise LicenceError(_("无法确定证照的有效期。"), field="validity")
    issuer = declared.get("issuer")
    person, company = _holder(case, ctx.context.get("establishment"))
    licence = licence_issue(
        actor=Actor.system("cases.engine"),
        licence_type_code=code,
        holder_person=person,
        holder_company=company,
        claims={**claims, **extra},
        case=case,
        issue_key=ctx.key,
        validity=validity,
        department=department_get(code=issuer) if issuer else None,
        particulars=[*particulars, *place_particulars(case, declared)],
    )
    copies = copies_issue(
        ctx, case, declared, version, validity=validity, answers=answers, claims=claims
    )
    return {
        "licence": {
            "licence_type": licence.licence_type.code,
            "number": licence.number,
            "credential_id": str(licence.credential_id),
            "status": "issued",
            **({"copies": copies} if copies else {}),
        }
    }


def _holder(case: CaseRef, establishment: Any) -> tuple[Any, Any]:
    """(person, company) the licence is issued to: the company an establishment package
    registers (it exists from now: ``establishment`` is what the case engine says it is), else
    the applicant company, else the applicant."""
    from onewindow.identity.selectors import company_get, person_get
    from onewindow.identity.services import company_establish

    if establishment is not None:
        actor = Actor.system("cases.engine")
        return None, company_establish(actor=actor, establishment=establishment)
    if case.applicant_company_id is not None:
        company = company_get(pk=case.applicant_company_id)
        if company is not None:
            return None, company
    if case.applicant_person_id is None:
        return None, None
    return person_get(pk=case.applicant_person_id), None


def place_particulars(case: CaseRef, declared: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``outcome.place``: a particular saying where the case was done — the office the
    persons came to (the booking they were checked in for), e.g. 登记机关 of a marriage."""
    label = declared.get("place")
    if not isinstance(label, dict) or not case.attended_office:
        return []
    return [{"label": str(label.get("zh") or ""), "value": case.attended_office}]


def copies_issue(
    ctx: Any,
    case: CaseRef,
    declared: Mapping[str, Any],
    version: Any,
    *,
    validity: Any,
    answers: dict[str, Any],
    claims: dict[str, Any],
) -> list[str]:
    """``outcome.copies``: the same licence for each joint applicant who agreed (the other
    party of a marriage, ``case.parties``), stating what their copy says (their spouse, not
    themself). Idempotent per party with the action's key. Returns the copies' numbers."""
    from onewindow.catalog.packages.licence_outcome import particular_value
    from onewindow.identity.selectors import department_get, person_get
    from onewindow.licences.services import licence_issue

    copies = declared.get("copies")
    if not isinstance(copies, dict) or not copies:
        return []
    issuer = declared.get("issuer")
    numbers = []
    for party in case.parties:
        items = copies.get(party.code) if party.joint else None
        if not isinstance(items, list):
            continue
        particulars = [
            {
                "label": str((item.get("label") or {}).get("zh") or ""),
                "value": particular_value(item, answers=answers, form_schema=version.form_schema),
                "public": bool(item.get("public", True)),
            }
            for item in items
            if isinstance(item, dict)
        ]
        holder = person_get(pk=party.person_id)
        if holder is None:  # not expected: a case party protects its person from deletion
            raise LookupError(f"the person of joint party {party.code} is gone")
        licence = licence_issue(
            actor=Actor.system("cases.engine"),
            licence_type_code=str(ctx.params.get("licence_type", "")),
            holder_person=holder,
            claims={**claims, "jointParty": party.code},
            case=case,
            issue_key=f"{ctx.key}:{party.code}"[:200],
            validity=validity,
            department=department_get(code=issuer) if issuer else None,
            particulars=[*particulars, *place_particulars(case, declared)],
        )
        numbers.append(licence.number)
    return numbers
