"""Identity reads. Other apps import from here."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import normalize_citizen_id, normalize_phone
from onewindow.identity.models import (
    Company,
    CompanyAgent,
    Department,
    GridScope,
    Person,
    Role,
    Staff,
    StaffRole,
    User,
)
from onewindow.identity.pii import id_number_index, phone_index
from onewindow.identity.seeding_selectors import (  # noqa: F401  (re-exported)
    CompanyContacts,
    StaffAccount,
    StaffTotpCode,
    company_contacts,
    department_get_by_code,
    person_list_with_id_number,
    role_holder_usernames,
    staff_accounts,
    staff_totp_codes,
    user_get_by_username,
)


def person_for_user(user: object) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user_id=user.pk).first()  # type: ignore[attr-defined]


def person_get(*, pk: int) -> Person | None:
    return Person.objects.filter(pk=pk).first()


def person_find_by_phone(*, phone: str) -> Person | None:
    """Exact look-up through the blind index (the column itself is ciphertext)."""
    try:
        phone = normalize_phone(phone)
    except ValidationFailed:
        return None
    return Person.objects.filter(phone_bidx=phone_index(phone)).first()


def person_find_by_id_number(*, id_number: str) -> Person | None:
    try:
        id_number = normalize_citizen_id(id_number)
    except ValidationFailed:
        return None
    return Person.objects.filter(id_number_bidx=id_number_index(id_number)).first()


def company_get_by_uscc(*, uscc: str) -> Company | None:
    return Company.objects.filter(uscc=(uscc or "").strip().upper()).first()


def _valid_agents(on: datetime.date | None = None) -> Q:
    """Grants in force on the day: accepted (or a legal representative's), not revoked, and
    not past their last day."""
    day = on or timezone.localdate()
    return Q(status=CompanyAgent.Status.ACTIVE) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )


def companies_for_person(*, person: Person, on: datetime.date | None = None) -> QuerySet[Company]:
    """Companies this person may act for today (legal representative or an agent whose
    authorisation is accepted, not revoked and not expired)."""
    agent_ids = CompanyAgent.objects.filter(_valid_agents(on), person=person).values("company_id")
    return Company.objects.filter(pk__in=agent_ids).order_by("name")


def company_ids_for_person(*, person_id: int, on: datetime.date | None = None) -> set[int]:
    """The ids of the companies the person may act for on the day (see companies_for_person)."""
    return set(
        CompanyAgent.objects.filter(_valid_agents(on), person_id=person_id).values_list(
            "company_id", flat=True
        )
    )


def company_people_in_force(*, company_id: int, on: datetime.date | None = None) -> list[Person]:
    """The people who may act for the company on the day: its legal representative and its
    agents whose authorisation is in force."""
    ids = CompanyAgent.objects.filter(_valid_agents(on), company_id=company_id).values("person_id")
    return list(Person.objects.filter(pk__in=ids).order_by("pk"))


def person_may_act_for(
    *, person: Person, company: Company, on: datetime.date | None = None
) -> bool:
    return CompanyAgent.objects.filter(_valid_agents(on), person=person, company=company).exists()


def company_agents(*, company: Company) -> QuerySet[CompanyAgent]:
    return company.agents.select_related("person").order_by("role", "pk")


@dataclass(frozen=True)
class CompanyRole:
    """A company a person acts for, as they see it under 我的企业."""

    company: Company
    role: str  # CompanyAgent.Role
    role_label: str
    valid_until: datetime.date | None
    grant_id: int


@dataclass(frozen=True)
class AgentGrant:
    """An agent's authorisation as the legal representative or the agent sees it."""

    id: int
    company: Company
    person_name: str  # the agent's name, in full (the representative named them)
    masked_id_number: str
    granted_by_name: str
    valid_until: datetime.date | None
    status: str  # pending, active, expired, declined, revoked
    status_label: str
    granted_at: datetime.datetime | None
    ended_at: datetime.datetime | None


_GRANT_LABELS = {
    "pending": gettext_lazy("待经办人确认"),
    "active": gettext_lazy("有效"),
    "expired": gettext_lazy("已过期"),
    "declined": gettext_lazy("经办人已拒绝"),
    "revoked": gettext_lazy("已撤销"),
}


def _grant(row: CompanyAgent, today: datetime.date) -> AgentGrant:
    status = str(row.status)
    if status in {CompanyAgent.Status.PENDING, CompanyAgent.Status.ACTIVE} and row.expired(today):
        status = "expired"
    return AgentGrant(
        id=row.pk,
        company=row.company,
        person_name=row.person.name,
        masked_id_number=row.person.masked_id_number,
        granted_by_name=row.granted_by.name if row.granted_by else "",
        valid_until=row.valid_until,
        status=status,
        status_label=str(_GRANT_LABELS[status]),
        granted_at=row.granted_at,
        ended_at=row.ended_at,
    )


def company_roles_for_person(
    *, person: Person, on: datetime.date | None = None
) -> list[CompanyRole]:
    """The companies the person acts for today, legal representative first."""
    rows = (
        CompanyAgent.objects.filter(_valid_agents(on), person=person)
        .select_related("company")
        .order_by("role", "company__name")
    )
    order: dict[str, int] = {CompanyAgent.Role.LEGAL_REPRESENTATIVE: 0, CompanyAgent.Role.AGENT: 1}
    return sorted(
        (
            CompanyRole(
                company=row.company,
                role=row.role,
                role_label=str(CompanyAgent.Role(row.role).label),
                valid_until=row.valid_until,
                grant_id=row.pk,
            )
            for row in rows
        ),
        key=lambda r: (order.get(r.role, 2), r.company.name),
    )


def company_represented_by(*, person: Person, uscc: str) -> Company | None:
    """The company with this code, if the person is its legal representative."""
    return Company.objects.filter(
        uscc=(uscc or "").strip().upper(),
        agents__person=person,
        agents__role=CompanyAgent.Role.LEGAL_REPRESENTATIVE,
        agents__status=CompanyAgent.Status.ACTIVE,
    ).first()


def agent_grants_of_company(
    *, company: Company, on: datetime.date | None = None
) -> list[AgentGrant]:
    """Every agent authorisation of the company, newest first (for its legal representative)."""
    today = on or timezone.localdate()
    rows = (
        CompanyAgent.objects.filter(company=company, role=CompanyAgent.Role.AGENT)
        .select_related("company", "person", "granted_by")
        .order_by("-granted_at", "-pk")
    )
    return [_grant(row, today) for row in rows]


def agent_grants_pending_for(
    *, person: Person, on: datetime.date | None = None
) -> list[AgentGrant]:
    """Authorisations waiting for this person's acceptance (not yet expired)."""
    today = on or timezone.localdate()
    rows = (
        CompanyAgent.objects.filter(
            person=person,
            role=CompanyAgent.Role.AGENT,
            status=CompanyAgent.Status.PENDING,
            valid_until__gte=today,
        )
        .select_related("company", "person", "granted_by")
        .order_by("-granted_at", "-pk")
    )
    return [_grant(row, today) for row in rows]


def staff_for_user(user: object) -> Staff | None:
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", "") not in {
        User.Kind.STAFF,
        User.Kind.OPERATOR,
    }:
        return None
    return Staff.objects.select_related("department").filter(user_id=user.pk).first()  # type: ignore[attr-defined]


def staff_departments_for(user: object) -> list[Department]:
    """The staff member's own department plus every department they hold a role in."""
    staff = staff_for_user(user)
    if staff is None:
        return []
    ids = {staff.department_id} | set(
        StaffRole.objects.filter(staff=staff).values_list("department_id", flat=True)
    )
    return list(Department.objects.filter(pk__in=ids).order_by("code"))


def staff_has_role(user: object, role_code: str, *, department: Department | None = None) -> bool:
    staff = staff_for_user(user)
    if staff is None:
        return False
    roles = StaffRole.objects.filter(staff=staff, role__code=role_code)
    if department is not None:
        roles = roles.filter(department=department)
    return roles.exists()


def staff_grid_codes(user: object) -> set[str]:
    """Grids a community worker may act in (through their grid-scoped roles)."""
    staff = staff_for_user(user)
    if staff is None:
        return set()
    return set(
        GridScope.objects.filter(
            staff_role__staff=staff, staff_role__role__grid_scoped=True
        ).values_list("grid_code", flat=True)
    )


def department_ids_below(department_ids: Iterable[int]) -> set[int]:
    """The given departments and every department under them (one query per level)."""
    found = set(department_ids)
    frontier = set(found)
    while frontier:
        children = set(
            Department.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        frontier = children - found
        found |= frontier
    return found


def staff_department_ids_below(user: object) -> set[int]:
    """The staff member's own department, those they hold a role in, and all below them."""
    return department_ids_below(d.pk for d in staff_departments_for(user))


def department_descendants(department: Department) -> list[Department]:
    """The department and everything under it (breadth first)."""
    out, frontier = [department], [department.pk]
    while frontier:
        children = list(Department.objects.filter(parent_id__in=frontier).order_by("code"))
        out.extend(children)
        frontier = [child.pk for child in children]
    return out


def department_list() -> QuerySet[Department]:
    """Every department with its parent, by code (the codes service packages may name)."""
    return Department.objects.select_related("parent").order_by("code")


def role_list() -> QuerySet[Role]:
    """Every role, by code."""
    return Role.objects.order_by("code")


def staff_manageable_department_ids(user: Any) -> set[int] | None:
    """Departments whose staff ``user`` may manage: where a role of theirs grants
    ``identity.change_staff``, and every department below. None: all (platform operator)."""
    if user.has_perm("identity.operate_platform"):
        return None
    roots = StaffRole.objects.filter(
        staff__user_id=user.pk,
        role__permissions__content_type__app_label="identity",
        role__permissions__codename="change_staff",
    ).values_list("department_id", flat=True)
    return department_ids_below(set(roots))


def staff_with_authenticators(*, department_ids: set[int] | None) -> list[tuple[Staff, str]]:
    """Staff of these departments (all: None), each with their authenticator's state:
    ``active`` (a confirmed one), ``pending`` (reset, not yet enrolled) or ``none``."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    people = Staff.objects.select_related("user", "department").order_by(
        "department__code", "user__username"
    )
    if department_ids is not None:
        people = people.filter(department_id__in=department_ids)
    rows = list(people)
    states: dict[int, str] = {}
    for user_id, confirmed in TOTPDevice.objects.filter(
        user_id__in=[s.user_id for s in rows]
    ).values_list("user_id", "confirmed"):
        if states.get(user_id) != "active":
            states[user_id] = "active" if confirmed else "pending"
    return [(s, states.get(s.user_id, "none")) for s in rows]


def person_for_user_id(*, user_id: int) -> Person | None:
    """The natural person behind an account (a resident's, or a company agent's), if any."""
    return Person.objects.filter(user_id=user_id).first()


def staff_user_ids_in_department_chain(
    *, department_code: str, role_code: str = "", permission: str = ""
) -> list[int]:
    """Active staff accounts holding, in the department or a department above it, the role
    ``role_code`` or a role granting ``permission`` (``app_label.codename``, e.g.
    ``cases.supervise_cases``): whom to tell about that department's work."""
    department = Department.objects.filter(code=department_code).first()
    if department is None or not (role_code or permission):
        return []
    chain = [department.pk] + [d.pk for d in department.ancestors()]
    roles = StaffRole.objects.filter(department_id__in=chain, staff__user__is_active=True)
    if role_code:
        roles = roles.filter(role__code=role_code)
    if permission:
        app_label, _, codename = permission.partition(".")
        roles = roles.filter(
            role__permissions__content_type__app_label=app_label,
            role__permissions__codename=codename,
        )
    return sorted(set(roles.values_list("staff__user_id", flat=True)))
