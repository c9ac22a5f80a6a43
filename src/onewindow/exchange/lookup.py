"""The ``exchange.lookup`` action: a case's service task asks the exchange, as the platform's
own consumer and with the case as its purpose, for what the government already holds (免证明).
The call is logged in the call log like any other; the returned fields become process
variables ``exchange_<resource>`` (``{"applicant": {...}, "partner": {...}}``, one key per
subject looked up: the applicant and the parties of ``cases.party_selectors``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.audit.services import Actor
from onewindow.core.pii import id_number_index
from onewindow.exchange.datasources import fields_for
from onewindow.exchange.models import Resource
from onewindow.exchange.services import (
    exchange_query,
    platform_consumer_ensure,
    resources_sync,
)
from onewindow.identity.selectors import person_find_by_id_number_bidx, person_get
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


def _subjects(ctx: ActionContext) -> list[tuple[str, Person | None]]:
    """Who this service task looks up (its ``subject``: ``applicant`` and party codes). A
    person other than the applicant is looked up only as a party the package declares, whom
    the form names, and who agreed (``cases.party_selectors``); the person looked up is the
    one who agreed, and the form must still name them. Any other subject word looks up the
    applicant alone, as before parties were declared."""
    from onewindow.cases.party_selectors import case_party_for_lookup
    from onewindow.catalog.persons import APPLICANT, lookup_subjects

    person_id = ctx.context.get("applicant_person_id")
    subjects = [(APPLICANT, person_get(pk=int(person_id)) if person_id else None)]
    case_id = ctx.context.get("case_id")
    for code in lookup_subjects(ctx.params):
        if code == APPLICANT or not isinstance(case_id, int):
            continue
        party = case_party_for_lookup(case_id=case_id, code=code)
        if party is None:
            continue
        if not party.may_look_up:
            raise LookupRefused(f"{code} has not agreed to the look-up")
        number = str(ctx.data.get(party.id_field) or "").strip().upper()
        if not number or id_number_index(number) != party.id_number_bidx:
            raise LookupRefused(f"the form no longer names the {code} who agreed")
        subjects.append((code, person_find_by_id_number_bidx(id_number_bidx=party.id_number_bidx)))
    return subjects


def lookup_from_case(ctx: ActionContext) -> dict[str, Any]:
    code = str(ctx.params.get("resource", ""))
    key = str(ctx.params.get("key") or "").strip().upper()
    case_number = str(ctx.context.get("case_number") or ctx.context.get("case_id") or "")
    purpose = f"办件{case_number}（{ctx.context.get('service_code', '')}）审查"
    results: dict[str, Any] = {}
    refused = ""
    found = False
    reference = ""
    with transaction.atomic():
        resource = Resource.objects.filter(code=code).first()
        if resource is None or resource.field_codes() != [c for c, _n, _s in fields_for(code)]:
            resources_sync(actor=Actor.system("exchange"))  # new, or changed by an upgrade
        consumer = platform_consumer_ensure(actor=Actor.system("exchange"))
        for role, person in _subjects(ctx):
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
    with transaction.atomic():
        _note(ctx, code, found=found, reference=reference, key=key)
    exchange: dict[str, Any] = {"resource": code, "found": found, "reference": reference}
    if key:
        exchange["key"] = key
    return {"exchange": exchange, variable_name(code): results}


def _note(ctx: ActionContext, code: str, *, found: bool, reference: str, key: str = "") -> None:
    """The case timeline says what was looked up and from whom — never the values."""
    case_id = ctx.context.get("case_id")
    if not case_id:
        return
    from onewindow.cases.services.timeline import case_timeline_note

    resource = Resource.objects.filter(code=code).select_related("department").first()
    name = resource.name if resource else code
    department = resource.department.name if resource and resource.department else ""
    what = f"{name}（{department}）" if department else name
    if found:
        message = _("已通过数据共享调取：%(what)s，调用记录 %(reference)s") % {
            "what": what,
            "reference": reference,
        }
    elif key:
        message = _(
            "已通过数据共享查询%(what)s，未查到编号为 %(key)s 的记录：申请人填写的编号"
            "与部门登记的不符，不能作为已核验的材料，请核对"
        ) % {"what": what, "key": key}
    else:
        message = _("已通过数据共享查询%(what)s，未查到记录") % {"what": what}
    data = {"resource": code, "found": found, "reference": reference, "step": ctx.element_id}
    if key:
        data["key"] = key
    case_timeline_note(case_id=int(case_id), kind="data_lookup", message=message, data=data)
