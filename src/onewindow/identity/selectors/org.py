"""Reads of the organisation: departments (a tree), roles, staff and the roles they hold
where."""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from onewindow.identity.models import Department, GridScope, Role, Staff, StaffRole, User

STAFF_KINDS = frozenset({User.Kind.STAFF, User.Kind.OPERATOR})


def user_get(*, pk: int) -> User | None:
    return User.objects.filter(pk=pk).first()


def user_is_staff(*, user: object) -> bool:
    """An authenticated staff or operator account (not a resident's, nor a machine's)."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "kind", "") in (
        STAFF_KINDS
    )


def staff_for_user(user: object) -> Staff | None:
    if not user_is_staff(user=user):
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


def department_get(*, code: str) -> Department | None:
    """The department with this code (its parent read with it), or None."""
    if not code:
        return None
    return Department.objects.select_related("parent").filter(code=code).first()


def departments_by_codes(*, codes: Iterable[str]) -> dict[str, Department]:
    """``{code: department}`` of the codes that name a department (one query)."""
    return {d.code: d for d in Department.objects.filter(code__in=set(codes))}


def departments_by_ids(*, ids: Iterable[int]) -> list[Department]:
    """The departments with these ids, by code. ``ids`` may be a values_list query of the
    caller's (one query with it as a subquery)."""
    if not isinstance(ids, QuerySet):
        ids = set(ids)
    return list(Department.objects.filter(pk__in=ids).order_by("code"))


def department_codes() -> frozenset[str]:
    """Every department code (what a service package may name)."""
    return frozenset(Department.objects.values_list("code", flat=True))


def department_codes_with_ancestors(*, department_ids: Iterable[int]) -> set[str]:
    """The codes of these departments and of every department above them."""
    codes: set[str] = set()
    for department in Department.objects.filter(pk__in=set(department_ids)).select_related(
        "parent"
    ):
        codes.add(department.code)
        codes.update(d.code for d in department.ancestors())
    return codes


def department_ids_with_children(*, department_ids: Iterable[int]) -> set[int]:
    """These departments and the departments directly under them (one level)."""
    ids = set(department_ids)
    if not ids:
        return set()
    return ids | set(Department.objects.filter(parent_id__in=ids).values_list("pk", flat=True))


def role_codes() -> frozenset[str]:
    """Every role code (what a service package may name)."""
    return frozenset(Role.objects.values_list("code", flat=True))


def roles_by_codes(*, codes: Iterable[str]) -> dict[str, Role]:
    """``{code: role}`` of the codes that name a role (one query)."""
    return {r.code: r for r in Role.objects.filter(code__in=set(codes))}


def staff_manageable_department_ids(user: User) -> set[int] | None:
    """Departments whose staff ``user`` may manage: where a role of theirs grants
    ``identity.change_staff``, and every department below. None: all (platform operator)."""
    if user.has_perm("identity.operate_platform"):
        return None
    roots = staff_permission_department_ids(user_id=user.pk, permission="identity.change_staff")
    return department_ids_below(roots)


def staff_get(*, user_id: int) -> Staff | None:
    """The staff record of the account (its department read with it), whatever the
    account's kind."""
    return Staff.objects.select_related("department").filter(user_id=user_id).first()


def staff_roles_of(*, staff_id: int) -> list[StaffRole]:
    """The roles the staff member holds, each with its role and department, by role code
    then department code."""
    return list(
        StaffRole.objects.filter(staff_id=staff_id)
        .select_related("role", "department")
        .order_by("role__code", "department__code")
    )


def staff_department_ids(*, user_id: int) -> set[int]:
    """The account's own department and every department it holds a role in (empty without
    a staff record)."""
    staff = Staff.objects.filter(user_id=user_id).only("pk", "department_id").first()
    if staff is None:
        return set()
    return {staff.department_id} | set(
        StaffRole.objects.filter(staff_id=staff.pk).values_list("department_id", flat=True)
    )


def staff_roles_held(*, user_id: int) -> list[tuple[str, int]]:
    """``(role code, department id)`` of every role the account holds."""
    return list(
        StaffRole.objects.filter(staff__user_id=user_id).values_list("role__code", "department_id")
    )


def staff_role_department_ids(*, user_id: int, role_code: str) -> set[int]:
    """The departments where the account holds the role (not those below them)."""
    return set(
        StaffRole.objects.filter(staff__user_id=user_id, role__code=role_code).values_list(
            "department_id", flat=True
        )
    )


def staff_permission_department_ids(*, user_id: int, permission: str) -> set[int]:
    """The departments where a role the account holds grants ``permission``
    (``app_label.codename``); not those below them."""
    app_label, _, codename = permission.partition(".")
    return set(
        StaffRole.objects.filter(
            staff__user_id=user_id,
            role__permissions__content_type__app_label=app_label,
            role__permissions__codename=codename,
        ).values_list("department_id", flat=True)
    )


def staff_holds_role(*, user_id: int, role_code: str, department_ids: Iterable[int]) -> bool:
    """Whether the account holds the role in one of these departments."""
    return StaffRole.objects.filter(
        staff__user_id=user_id, role__code=role_code, department_id__in=set(department_ids)
    ).exists()


def staff_holds_role_exists(
    *, user_id: int, role_code: str | OuterRef, department_ids: Iterable[int | OuterRef]
) -> Exists:
    """:func:`staff_holds_role` as an ``EXISTS`` expression to annotate the caller's own rows
    with (the role code and department ids may be ``OuterRef`` s to its columns), so the
    caller reads its rows and the answer in one query."""
    where = functools.reduce(operator.or_, (Q(department_id=ref) for ref in department_ids))
    return Exists(StaffRole.objects.filter(where, staff__user_id=user_id, role__code=role_code))


def role_holders(
    *, role_code: str, department_ids: Iterable[int], exclude_user_id: int | None = None
) -> list[User]:
    """The accounts holding the role in one of these departments, by username."""
    rows = (
        StaffRole.objects.filter(role__code=role_code, department_id__in=set(department_ids))
        .select_related("staff__user")
        .order_by("staff__user__username")
    )
    if exclude_user_id is not None:
        rows = rows.exclude(staff__user_id=exclude_user_id)
    seen: dict[int, User] = {}
    for row in rows:
        seen.setdefault(row.staff.user_id, row.staff.user)
    return list(seen.values())


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


def staff_user_ids_in_departments(*, department_ids: Iterable[int], permission: str) -> list[int]:
    """Active staff accounts holding, in one of these departments (not those above or below
    them), a role granting ``permission`` (``app_label.codename``): whom to tell about work
    that is those departments' own."""
    app_label, _, codename = permission.partition(".")
    roles = StaffRole.objects.filter(
        department_id__in=set(department_ids),
        staff__user__is_active=True,
        role__permissions__content_type__app_label=app_label,
        role__permissions__codename=codename,
    )
    return sorted(set(roles.values_list("staff__user_id", flat=True)))


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


def staff_user_ids_with_permission(*, permission: str) -> list[int]:
    """Active staff accounts holding, in any department, a role granting ``permission``
    (``app_label.codename``): whom to tell about the platform's own work (the platform
    office that reviews appeals, say)."""
    app_label, _, codename = permission.partition(".")
    return sorted(
        set(
            StaffRole.objects.filter(
                staff__user__is_active=True,
                role__permissions__content_type__app_label=app_label,
                role__permissions__codename=codename,
            ).values_list("staff__user_id", flat=True)
        )
    )
