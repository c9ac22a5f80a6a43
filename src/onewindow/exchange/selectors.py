"""Reads of the data exchange."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext, gettext_lazy

from onewindow.exchange.models import AccessRequest, CallLog, Consumer, Grant, Resource
from onewindow.exchange.services import PLATFORM_CONSUMER
from onewindow.identity.selectors import department_ids_with_children, staff_department_ids

if TYPE_CHECKING:
    from onewindow.identity.models import User


@dataclass(frozen=True)
class CaseLookups:
    resources: list[str]  # found
    departments: list[str]
    missing: list[str] = field(default_factory=list)  # asked for, no record found


def case_lookups(case_number: str) -> CaseLookups | None:
    """What the platform obtained through the exchange for this case (resource and
    department names, in the order first looked up), and what it asked for and did not
    find (a made-up certificate number finds nothing: never shown as obtained), or None."""
    codes, by_code = _looked_up(case_number)
    if not codes:
        return None
    found = set(
        CallLog.objects.filter(
            case_number=case_number,
            consumer_id_value=PLATFORM_CONSUMER,
            outcome=CallLog.Outcome.OK,
            resource_code__in=codes,
        )
        .exclude(reason="not_found")
        .values_list("resource_code", flat=True)
    )
    names, departments, missing = [], [], []
    for code in codes:
        resource = by_code.get(code)
        name = resource.name if resource else code
        if code not in found:
            missing.append(name)
            continue
        names.append(name)
        dept = resource.department.name if resource and resource.department else ""
        if dept and dept not in departments:
            departments.append(dept)
    return CaseLookups(resources=names, departments=departments, missing=missing)


def _owned_department_ids(user: User) -> list[int] | None:
    """Departments whose resources the user administers (None: all, for operators)."""
    if user.has_perm("identity.operate_platform"):
        return None
    ids = staff_department_ids(user_id=user.pk)
    return sorted(department_ids_with_children(department_ids=ids))


def resources_for_owner(*, user: User) -> QuerySet[Resource]:
    """The resources of the departments ``user`` administers (all, for an operator)."""
    ids = _owned_department_ids(user)
    qs = Resource.objects.select_related("department").order_by("code")
    return qs if ids is None else qs.filter(department_id__in=ids)


def access_requests_pending_for(*, user: User) -> QuerySet[AccessRequest]:
    """Access requests waiting for a decision on those resources."""
    ids = _owned_department_ids(user)
    qs = AccessRequest.objects.filter(status=AccessRequest.Status.PENDING).select_related(
        "consumer", "resource"
    )
    return qs if ids is None else qs.filter(resource__department_id__in=ids)


def calls_for_owner(*, user: User, limit: int = 100) -> list[CallLog]:
    """The newest calls to those resources, from the call log."""
    ids = _owned_department_ids(user)
    qs = CallLog.objects.order_by("-seq")
    if ids is not None:
        qs = qs.filter(Q(owner_department_id__in=ids))
    return list(qs[:limit])


def _looked_up(case_number: str) -> tuple[list[str], dict[str, Resource]]:
    """The resources the platform looked up successfully for a case, in the order first
    looked up, and those resources (with their departments) by code."""
    if not case_number:
        return [], {}
    codes = list(
        dict.fromkeys(
            CallLog.objects.filter(
                case_number=case_number,
                consumer_id_value=PLATFORM_CONSUMER,
                outcome=CallLog.Outcome.OK,
            ).values_list("resource_code", flat=True)
        )
    )
    if not codes:
        return [], {}
    resources = Resource.objects.filter(code__in=codes).select_related("department")
    return codes, {r.code: r for r in resources}


@dataclass(frozen=True)
class FetchedRecord:
    """One record the platform fetched for a case (a department's check shows it)."""

    resource: str  # the resource's name, e.g. 户籍信息
    department: str  # the providing department
    subject: str  # applicant, partner, …
    found: bool
    lines: list[tuple[str, str]]  # (field name, value); sensitive fields masked
    code: str = ""  # the resource's code
    masked: bool = False  # some fields are shown as ***


SUBJECT_LABELS = {
    "applicant": gettext_lazy("申请人"),
    "partner": gettext_lazy("对方"),
    "spouse": gettext_lazy("配偶"),
    "legal_representative": gettext_lazy("法定代表人"),
    "applicant_company": gettext_lazy("申请单位"),
}


def case_fetched_records(
    case_number: str,
    variables: Mapping[str, Any],
    *,
    variable_of: Callable[[str], str],
    reveal: Callable[[str], bool] | None = None,
) -> list[FetchedRecord]:
    """The records ``exchange.lookup`` put in the case's process variables, labelled with
    the resources' field names. ``variable_of`` maps a resource code to its variable (the
    engine's ``exchange_variable``). Fields marked sensitive are masked, except in the
    records of the resources ``reveal`` says the viewer may see in full."""
    codes, resources = _looked_up(case_number)
    records: list[FetchedRecord] = []
    for code in codes:
        resource = resources.get(code)
        by_subject = variables.get(variable_of(code))
        if resource is None or not isinstance(by_subject, Mapping):
            continue
        fields = {str(f.get("code")): f for f in resource.fields}
        full = reveal is not None and reveal(code)
        for subject, record in by_subject.items():
            lines: list[tuple[str, str]] = []
            masked = False
            if isinstance(record, Mapping):
                # in the order the resource declares its fields (the stored record's key
                # order depends on how the process state was serialised), then any others
                declared = [name for name in fields if name in record]
                extra = [str(name) for name in record if str(name) not in fields]
                for name in declared + extra:
                    value = record[name]
                    meta = fields.get(str(name), {})
                    hide = not full and meta.get("sensitivity") == "sensitive"
                    masked = masked or hide
                    lines.append((str(meta.get("name") or name), "***" if hide else _shown(value)))
            records.append(
                FetchedRecord(
                    resource=resource.name,
                    department=resource.department.name if resource.department else "",
                    subject=str(SUBJECT_LABELS.get(str(subject), str(subject))),
                    found=isinstance(record, Mapping),
                    lines=lines,
                    code=code,
                    masked=masked,
                )
            )
    return records


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if value is None:
        return "—"
    if isinstance(value, Mapping):  # one entry of a list field (a child: name, gender, born)
        return "，".join(_shown(v) for v in value.values() if v not in ("", None))
    if isinstance(value, list | tuple):  # a list field (the household's children)
        return "；".join(_shown(v) for v in value) if value else "—"
    return str(value)


@dataclass(frozen=True)
class ResourceFacts:
    """What a case page needs to know of a resource: its name, the providing department and
    the fields marked sensitive."""

    code: str
    name: str
    department_code: str
    department: str
    sensitive: frozenset[str]


def resource_facts(codes: Iterable[str]) -> dict[str, ResourceFacts]:
    """The named resources' facts by code (unknown codes are left out)."""
    rows = Resource.objects.filter(code__in=list(codes)).select_related("department")
    return {
        r.code: ResourceFacts(
            code=r.code,
            name=r.name,
            department_code=r.department.code if r.department else "",
            department=r.department.name if r.department else "",
            sensitive=frozenset(
                str(f.get("code")) for f in r.fields if f.get("sensitivity") == "sensitive"
            ),
        )
        for r in rows
    }


def consumer_get(*, code: str) -> Consumer | None:
    return Consumer.objects.filter(code=code).first()


def resource_get(*, code: str) -> Resource | None:
    return Resource.objects.filter(code=code).first()


def grant_exists(*, consumer: Consumer, resource: Resource) -> bool:
    """Whether the consumer holds a grant on the resource (whatever its fields)."""
    return Grant.objects.filter(consumer=consumer, resource=resource).exists()


def consumer_has_calls(*, code: str) -> bool:
    """Whether the call log holds a call in the consumer's name (refused ones included)."""
    return CallLog.objects.filter(consumer_id_value=code).exists()
