"""The reads and writes other apps use instead of identity's models: departments and roles
by code, who holds which role where, machine accounts and applicant row locks."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.contrib.auth.models import Permission
from django.db.models import OuterRef

from onewindow.core.pii import id_number_index
from onewindow.identity import selectors, services
from onewindow.identity.models import Company, Department, StaffRole, User
from onewindow.testing.factories import (
    CompanyFactory,
    DepartmentFactory,
    UserFactory,
    make_person,
    make_role,
    make_staff,
)

pytestmark = pytest.mark.django_db


def _user(**kwargs: Any) -> User:
    return cast(User, UserFactory(**kwargs))


@pytest.fixture
def tree() -> dict[str, Department]:
    def department(**kwargs: Any) -> Department:
        return cast(Department, DepartmentFactory(**kwargs))

    city = department(code="fd-city", name="市政府")
    bureau = department(code="fd-bureau", name="民政局", parent=city)
    office = department(code="fd-office", name="婚姻登记处", parent=bureau)
    other = department(code="fd-other", name="教育局", parent=city)
    return {"city": city, "bureau": bureau, "office": office, "other": other}


def test_departments_and_roles_by_code(tree: dict[str, Department]) -> None:
    make_role(code="fd-clerk", name="窗口", name_en="Clerk")
    assert selectors.department_get(code="fd-office") == tree["office"]
    assert selectors.department_get(code="nowhere") is None
    assert selectors.department_get(code="") is None
    found = selectors.departments_by_codes(codes=["fd-city", "fd-office", "nowhere"])
    assert found == {"fd-city": tree["city"], "fd-office": tree["office"]}
    by_id = selectors.departments_by_ids(ids=[tree["other"].pk, tree["bureau"].pk])
    assert [d.code for d in by_id] == ["fd-bureau", "fd-other"]
    query = Department.objects.filter(parent=tree["city"]).values_list("pk", flat=True)
    assert [d.code for d in selectors.departments_by_ids(ids=query)] == ["fd-bureau", "fd-other"]
    assert {"fd-city", "fd-office"} <= selectors.department_codes()
    assert "fd-clerk" in selectors.role_codes()
    roles = selectors.roles_by_codes(codes={"fd-clerk", "nowhere"})
    assert list(roles) == ["fd-clerk"] and roles["fd-clerk"].name_en == "Clerk"


def test_department_codes_up_and_ids_one_level_down(tree: dict[str, Department]) -> None:
    codes = selectors.department_codes_with_ancestors(department_ids=[tree["office"].pk])
    assert codes == {"fd-office", "fd-bureau", "fd-city"}
    assert selectors.department_ids_with_children(department_ids=[tree["city"].pk]) == {
        tree["city"].pk,
        tree["bureau"].pk,
        tree["other"].pk,
    }
    assert selectors.department_ids_with_children(department_ids=[]) == set()


def test_who_holds_which_role_where(tree: dict[str, Department]) -> None:
    clerk_role = make_role(code="fd-clerk", name="窗口")
    head_role = make_role(code="fd-head", name="主管")
    head_role.permissions.add(Permission.objects.get(codename="supervise_cases"))
    clerk = make_staff(department=tree["office"], user__username="fd-a", roles=[clerk_role])
    StaffRole.objects.create(staff=clerk, role=head_role, department=tree["bureau"])
    other = make_staff(department=tree["office"], user__username="fd-b", roles=[clerk_role])
    user_id = clerk.user_id

    assert selectors.staff_get(user_id=user_id) == clerk
    assert selectors.staff_get(user_id=_user().pk) is None
    assert [
        (r.role.code, r.department.code) for r in selectors.staff_roles_of(staff_id=clerk.pk)
    ] == [
        ("fd-clerk", "fd-office"),
        ("fd-head", "fd-bureau"),
    ]
    assert selectors.staff_department_ids(user_id=user_id) == {
        tree["office"].pk,
        tree["bureau"].pk,
    }
    assert selectors.staff_department_ids(user_id=_user().pk) == set()
    assert sorted(selectors.staff_roles_held(user_id=user_id)) == [
        ("fd-clerk", tree["office"].pk),
        ("fd-head", tree["bureau"].pk),
    ]
    assert selectors.staff_role_department_ids(user_id=user_id, role_code="fd-clerk") == {
        tree["office"].pk
    }
    assert selectors.staff_permission_department_ids(
        user_id=user_id, permission="cases.supervise_cases"
    ) == {tree["bureau"].pk}
    chain = [tree["office"].pk, tree["bureau"].pk]
    assert selectors.staff_holds_role(user_id=user_id, role_code="fd-head", department_ids=chain)
    assert not selectors.staff_holds_role(
        user_id=user_id, role_code="fd-head", department_ids=[tree["office"].pk]
    )
    holders = selectors.role_holders(role_code="fd-clerk", department_ids=chain)
    assert [u.username for u in holders] == ["fd-a", "fd-b"]
    holders = selectors.role_holders(
        role_code="fd-clerk", department_ids=chain, exclude_user_id=user_id
    )
    assert holders == [other.user]


def test_holding_a_role_as_an_exists_over_the_callers_rows(tree: dict[str, Department]) -> None:
    """The EXISTS a caller annotates its own rows with: here, each department with whether
    the clerk holds the role in it or in the department above it."""
    role = make_role(code="fd-clerk", name="窗口")
    clerk = make_staff(department=tree["bureau"], roles=[role])
    rows = Department.objects.filter(code__startswith="fd-").annotate(
        holds=selectors.staff_holds_role_exists(
            user_id=clerk.user_id,
            role_code="fd-clerk",
            department_ids=[OuterRef("pk"), OuterRef("parent_id")],
        )
    )
    assert {row.code: row.holds for row in rows} == {
        "fd-city": False,
        "fd-bureau": True,
        "fd-office": True,  # the bureau is above it
        "fd-other": False,
    }


def test_users_and_staff_kinds() -> None:
    staff = _user(kind=User.Kind.STAFF)
    resident = _user(kind=User.Kind.RESIDENT)
    assert selectors.user_get(pk=staff.pk) == staff
    assert selectors.user_get(pk=0) is None
    assert selectors.user_is_staff(user=staff)
    assert selectors.user_is_staff(user=_user(kind=User.Kind.OPERATOR))
    assert not selectors.user_is_staff(user=resident)
    assert not selectors.user_is_staff(user=_user(kind=User.Kind.MACHINE))
    assert not selectors.user_is_staff(user=object())


def test_a_person_by_the_blind_index_of_their_id_number() -> None:
    person = make_person()
    assert (
        selectors.person_find_by_id_number_bidx(id_number_bidx=id_number_index(person.id_number))
        == person
    )
    assert selectors.person_find_by_id_number_bidx(id_number_bidx="") is None
    assert selectors.person_find_by_id_number_bidx(id_number_bidx="nothing") is None
    found = selectors.person_get(pk=person.pk)
    assert found is not None and found.user == person.user


def test_a_company_by_its_id() -> None:
    company = cast(Company, CompanyFactory())
    assert selectors.company_get(pk=company.pk) == company
    assert selectors.company_get(pk=0) is None


def test_a_machine_account_has_no_password_and_its_username_once() -> None:
    user = services.machine_user_create(username="fd-machine")
    user.refresh_from_db()
    assert user.kind == User.Kind.MACHINE and not user.has_usable_password()
    with pytest.raises(services.UsernameTaken) as exc:
        services.machine_user_create(username="fd-machine")
    assert exc.value.field == "username"
    assert User.objects.filter(username="fd-machine").count() == 1


def test_applicant_row_locks_take_a_person_or_a_company() -> None:
    person, company = make_person(), cast(Company, CompanyFactory())
    services.person_lock(person_id=person.pk)
    services.company_lock(company_id=company.pk)
    services.person_lock(person_id=0)  # gone: nothing to lock, no error
