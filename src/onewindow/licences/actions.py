"""The case engine's ``licences.issue`` service task: issue a real licence to the applicant."""

from __future__ import annotations

from typing import Any

from onewindow.audit.services import Actor


def issue_from_case(ctx: Any) -> dict[str, Any]:
    """Issue the licence named by the task's ``licence_type`` parameter to the case's
    applicant (the company for an enterprise case). Idempotent by the action's key: a retry
    returns the licence issued the first time."""
    from onewindow.cases.models import Case
    from onewindow.licences.services import licence_issue

    case_id = ctx.context.get("case_id")
    case = Case.objects.select_related("applicant_person", "applicant_company").get(pk=case_id)
    extra = {
        str(k): v
        for k, v in ctx.params.items()
        if k != "licence_type" and isinstance(v, str | int | float | bool)
    }
    claims = {"caseNumber": case.number or "", "serviceCode": ctx.context.get("service_code", "")}
    licence = licence_issue(
        actor=Actor.system("cases.engine"),
        licence_type_code=str(ctx.params.get("licence_type", "")),
        holder_person=None if case.applicant_company_id else case.applicant_person,
        holder_company=case.applicant_company,
        claims={**claims, **extra},
        case=case,
        issue_key=ctx.key,
    )
    return {
        "licence": {
            "licence_type": licence.licence_type.code,
            "number": licence.number,
            "credential_id": str(licence.credential_id),
            "status": "issued",
        }
    }
