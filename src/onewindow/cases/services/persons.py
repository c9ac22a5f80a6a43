"""The applicant's own questions of a form (name, citizen ID, phone — which ones, see
``catalog.persons.applicant_fields``) are filled from the real-name record of the person
applying (for an enterprise service: the agent acting for it), never from what was posted.
The web form shows them read-only and a value posted for them is ignored (the answer is the
record's); the API refuses a value that differs from the record (:func:`applicant_mismatches`),
since a caller sending another person's details means to apply in another name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case
from onewindow.catalog.persons import applicant_fields
from onewindow.core.errors import FieldError

if TYPE_CHECKING:
    from onewindow.identity.models import Person

# The kinds a form cannot do without: the record must have them. A phone missing from the
# record (a person registered at a window without one) is asked on the form instead.
REQUIRED_KINDS = ("name", "id_number")
KIND_LABELS = {"name": _("姓名"), "id_number": _("身份证号码"), "phone": _("手机号码")}


def applicant_of(case: Case) -> Person | None:
    """The person applying: the applicant, or the agent acting for a company."""
    return case.agent if case.applicant_company_id else case.applicant_person


def record_values(person: Person | None) -> dict[str, str]:
    if person is None:
        return {}
    values = {"name": person.name, "id_number": person.id_number, "phone": person.phone}
    return {kind: str(value) for kind, value in values.items() if value}


def bound_fields(schema: Mapping[str, Any] | None, person: Person | None) -> dict[str, str]:
    """``{question: value}`` of the applicant's questions the record fills (read-only on the
    form): every bound question whose kind the record has."""
    values = record_values(person)
    return {
        field: values[kind] for kind, field in applicant_fields(schema).items() if kind in values
    }


def applicant_fill(
    schema: Mapping[str, Any] | None, data: Mapping[str, Any], person: Person | None
) -> dict[str, Any]:
    """``data`` with the applicant's questions set from the record. A bound question the
    record cannot fill (no name or citizen ID on record) is emptied: only the record may
    answer it, and :func:`applicant_errors` says so at the field."""
    out = dict(data)
    filled = bound_fields(schema, person)
    for kind, field in applicant_fields(schema).items():
        if field in filled:
            out[field] = filled[field]
        elif kind in REQUIRED_KINDS:
            out.pop(field, None)
    return out


def applicant_errors(schema: Mapping[str, Any] | None, person: Person | None) -> list[FieldError]:
    """The applicant's questions the record cannot fill: complete the real-name check first."""
    values = record_values(person)
    return [
        FieldError(
            code="no_real_name",
            message=_("您的实名信息中没有%(what)s，请先在“我的信息”中完成实名认证后再申请。")
            % {"what": KIND_LABELS[kind]},
            field=field,
        )
        for kind, field in applicant_fields(schema).items()
        if kind in REQUIRED_KINDS and kind not in values
    ]


def applicant_mismatches(
    schema: Mapping[str, Any] | None, data: Mapping[str, Any], person: Person | None
) -> list[FieldError]:
    """The applicant's questions answered (through the API) with something other than the
    record's value: an application is filed only in the applicant's own name."""
    errors = []
    for field, value in bound_fields(schema, person).items():
        given = data.get(field)
        if given in (None, "") or str(given).strip().upper() == value.strip().upper():
            continue
        errors.append(
            FieldError(
                code="not_applicant",
                message=_("与您的实名登记信息不一致：只能以您本人的名义申请。"),
                field=field,
            )
        )
    return errors


def merged(first: list[FieldError], then: list[FieldError]) -> list[FieldError]:
    """``first``, then those of ``then`` at a field ``first`` says nothing about."""
    taken = {error.field for error in first}
    return [*first, *(error for error in then if error.field not in taken)]
