"""Reads for the revocation page: which licences a staff member may manage, and finding them
by licence number, the holder's citizen ID (through its blind index) or a company's USCC.

A staff member may revoke a licence when they hold ``licences.revoke_licence`` and the
licence's issuing department is their own department, a department they hold a role in, or a
department below one of those."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc

from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import normalize_citizen_id
from onewindow.core.masking import mask_citizen_id
from onewindow.core.numbers import is_ascii_number
from onewindow.identity.selectors import (
    company_get_by_uscc,
    person_find_by_id_number,
    staff_department_ids_below,
)
from onewindow.licences.models import Licence

if TYPE_CHECKING:
    from onewindow.identity.models import Company, Person, User

REVOKE_PERMISSION = "licences.revoke_licence"
SEARCH_LIMIT = 50


def revoke_department_ids(user: User) -> set[int]:
    """The departments whose licences ``user`` may revoke (empty without the permission)."""
    if not user.has_perm(REVOKE_PERMISSION):
        return set()
    return staff_department_ids_below(user)


def staff_may_revoke(user: User, licence: Licence) -> bool:
    return licence.department_id is not None and licence.department_id in revoke_department_ids(
        user
    )


def revocable_licences(user: User) -> QuerySet[Licence]:
    return Licence.objects.filter(department_id__in=revoke_department_ids(user)).select_related(
        "licence_type", "holder_person", "holder_company", "case", "department"
    )


def licence_for_staff(*, user: User, number: str) -> Licence | None:
    """The licence with this number if ``user`` may revoke it, else None (no existence leak)."""
    return revocable_licences(user).filter(number=number.strip()).first()


@dataclass(frozen=True)
class LicenceSearch:
    licences: list[Licence]
    by: str  # "number" | "person" | "company"
    person: Person | None = None
    company: Company | None = None
    masked_query: str = ""


def licence_search(*, user: User, query: str) -> LicenceSearch:
    """Find by licence number, else by the holder's citizen ID or USCC. Raises
    ``ValidationFailed`` (field ``q``) for text that is none of these."""
    text = "".join(query.split()).upper()
    if not text:
        raise ValidationFailed(
            _("请输入证照编号、持证人身份证号码或统一社会信用代码。"), code="required", field="q"
        )
    scope = revocable_licences(user)
    if is_ascii_number(text, max_digits=64) and len(text) != 18:
        return LicenceSearch(list(scope.filter(number=text)[:1]), "number")
    if len(text) == 18 and (ric.is_valid(text) or not uscc.is_valid(text)):
        id_number = normalize_citizen_id(text, field="q")  # a mistyped ID: its own error
        person = person_find_by_id_number(id_number=id_number)
        found = list(scope.filter(holder_person=person)[:SEARCH_LIMIT]) if person else []
        return LicenceSearch(
            found, "person", person=person, masked_query=mask_citizen_id(id_number)
        )
    if len(text) == 18:
        company = company_get_by_uscc(uscc=text)
        found = list(scope.filter(holder_company=company)[:SEARCH_LIMIT]) if company else []
        return LicenceSearch(found, "company", company=company)
    raise ValidationFailed(
        _("请输入完整的证照编号、18位身份证号码或18位统一社会信用代码。"), code="invalid", field="q"
    )
