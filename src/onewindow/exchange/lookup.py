"""The ``exchange.lookup`` action: a case's service task asks the exchange, as the platform's
own consumer and with the case as its purpose, for what the government already holds (免证明).
The call is logged in the call log like any other; the returned fields become process
variables ``exchange_<resource>`` (``{"applicant": {...}, "partner": {...}}``, one key per
subject looked up: the applicant and the case's agreed parties, ``CaseRef.parties``). The
case learns of the look-up through ``exchange.signals.case_lookup_done``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction

from onewindow.audit.services import Actor
from onewindow.core.refs import CaseRef
from onewindow.exchange.models import Resource
from onewindow.exchange.services import exchange_query, platform_grant_ensure
from onewindow.exchange.signals import CaseLookup, case_lookup_done
from onewindow.identity.selectors import person_get
from onewindow.workflow.actions import ActionContext, exchange_variable

if TYPE_CHECKING:
    from onewindow.identity.models import Person


class LookupRefused(RuntimeError):
    pass


def variable_name(resource_code: str) -> str:
    return exchange_variable(resource_code)


def lookup_outputs(params: Mapping[str, str]) -> frozenset[str] | None:
    """What a look-up of a literal ``resource`` sets: ``exchange`` and its resource's
    variable (None when the resource is an expression, known only at run time)."""
    resource = params.get("resource", "")
    if not resource or resource.startswith("${"):
        return None
    return frozenset({"exchange", exchange_variable(resource)})


def _subjects(ctx: ActionContext, case: CaseRef | None) -> list[tuple[str, Person | None]]:
    """Who this service task looks up (its ``subject``: ``applicant`` and party codes). A
    person other than the applicant is looked up only as one of the case's agreed parties
    (``CaseRef.parties``: the form names them, and they agreed); a party who has not agreed,
    or whom the form does not name, is never looked up. Any other subject word looks up the
    applicant alone, as before parties were declared."""
    from onewindow.catalog.persons import APPLICANT, lookup_subjects

    person_id = case.applicant_person_id if case is not None else None
    subjects = [(APPLICANT, person_get(pk=person_id) if person_id else None)]
    for code in lookup_subjects(ctx.params):
        party = case.party(code) if case is not None and code != APPLICANT else None
        if party is not None:
            subjects.append((code, person_get(pk=party.person_id)))
    return subjects


def lookup_from_case(ctx: ActionContext) -> dict[str, Any]:
    case = ctx.context.get("case")
    case = case if isinstance(case, CaseRef) else None
    code = str(ctx.params.get("resource", ""))
    key = str(ctx.params.get("key") or "").strip().upper()
    case_number = (case.number or str(case.id)) if case is not None else ""
    purpose = f"办件{case_number}（{case.service_code if case is not None else ''}）审查"
    results: dict[str, Any] = {}
    refused = ""
    found = False
    reference = ""
    with transaction.atomic():
        consumer = platform_grant_ensure(actor=Actor.system("exchange"), resource_code=code)
        for role, person in _subjects(ctx, case):
            result = exchange_query(
                consumer=consumer,
                resource_code=code,
                person=person,
                purpose=purpose,
                request_id=f"{ctx.key}:{role}"[:64],
                case_number=case_number,
                key=key,
            )
            if not result.ok:
                refused = result.reason
                break
            results[role] = result.data if result.found else None
            found = found or result.found
            if result.log is not None and not reference:
                reference = f"EX{result.log.seq:010d}"
    if refused:
        raise LookupRefused(f"exchange refused {code}: {refused}")
    if case is not None:
        with transaction.atomic():
            _tell(ctx, case, code, found=found, reference=reference, key=key)
    exchange: dict[str, Any] = {"resource": code, "found": found, "reference": reference}
    if key:
        exchange["key"] = key
    return {"exchange": exchange, variable_name(code): results}


def _tell(
    ctx: ActionContext, case: CaseRef, code: str, *, found: bool, reference: str, key: str
) -> None:
    """The case's timeline says what was looked up and from whom — never the values: the
    cases app writes it from ``case_lookup_done``."""
    resource = Resource.objects.filter(code=code).select_related("department").first()
    lookup = CaseLookup(
        case_id=case.id,
        resource_code=code,
        resource_name=resource.name if resource else code,
        department_name=resource.department.name if resource and resource.department else "",
        found=found,
        reference=reference,
        key=key,
        step=ctx.element_id,
    )
    case_lookup_done.send(sender=CaseLookup, lookup=lookup)
