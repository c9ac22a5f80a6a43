"""Departments, roles, staff; role permissions reach ``user.has_perm``."""

from __future__ import annotations

import pytest

from onewindow.audit.services import Actor
from onewindow.core.errors import ValidationFailed
from onewindow.identity import selectors, services
from onewindow.identity.models import Department
from onewindow.testing.factories import make_person, make_staff, user_of

pytestmark = pytest.mark.django_db

ADMIN = Actor.system("setup")


def test_department_tree_with_validated_region_codes():
    city = services.department_create(actor=ADMIN, code="gz", name="广州市", region_code="440100")
    office = services.department_create(
        actor=ADMIN, code="gz-yh", name="越秀区政务服务中心", region_code="440104", parent=city
    )
    assert office.ancestors() == [city]
    assert selectors.department_descendants(city) == [city, office]
    for bad in ("4401", "990100", "abcdef"):
        with pytest.raises(ValidationFailed) as exc:
            services.department_create(actor=ADMIN, code=f"x{bad}", name="x", region_code=bad)
        assert exc.value.field == "region_code"
    assert Department.objects.count() == 2


def test_role_permissions_become_user_permissions():
    dept = services.department_create(actor=ADMIN, code="d1", name="民政局", region_code="440100")
    clerk = services.staff_create(
        actor=ADMIN, username="clerk", display_name="王科员", department=dept
    )
    assert not clerk.user.has_perm("identity.view_pii")
    role = services.role_create(
        actor=ADMIN, code="pii-reader", name="核验员", permissions=["identity.view_pii"]
    )
    services.staff_role_assign(actor=ADMIN, staff=clerk, role=role)
    user = type(clerk.user).objects.get(pk=clerk.user.pk)  # fresh: no permission cache
    assert user.has_perm("identity.view_pii")
    assert not user.has_perm("identity.operate_platform")
    assert selectors.staff_has_role(user, "pii-reader")
    assert selectors.staff_has_role(user, "pii-reader", department=dept)
    assert not selectors.staff_has_role(user, "approver")


def test_resident_never_gets_role_permissions():
    person = make_person()
    assert not user_of(person).has_perm("identity.view_pii")
    assert selectors.staff_departments_for(user_of(person)) == []
    assert selectors.staff_grid_codes(user_of(person)) == set()


def test_unknown_permission_is_refused():
    with pytest.raises(ValidationFailed):
        services.role_create(actor=ADMIN, code="x", name="x", permissions=["nope.nothing"])


def test_departments_and_grids_of_a_community_worker():
    street = services.department_create(
        actor=ADMIN, code="st", name="华乐街道", region_code="440104"
    )
    other = services.department_create(
        actor=ADMIN, code="st2", name="建设街道", region_code="440104"
    )
    worker = make_staff(department=street)
    role = services.role_create(actor=ADMIN, code="grid-worker", name="网格员", grid_scoped=True)
    services.staff_role_assign(
        actor=ADMIN, staff=worker, role=role, grid_codes=["440104001-01", "440104001-02"]
    )
    services.staff_role_assign(
        actor=ADMIN, staff=worker, role=role, department=other, grid_codes=["440104002-07"]
    )
    # assigning again changes nothing
    services.staff_role_assign(actor=ADMIN, staff=worker, role=role, grid_codes=["440104001-01"])
    assert selectors.staff_departments_for(worker.user) == [street, other]
    assert selectors.staff_grid_codes(worker.user) == {
        "440104001-01",
        "440104001-02",
        "440104002-07",
    }
    approver = services.role_create(actor=ADMIN, code="approver", name="审批")
    with pytest.raises(ValidationFailed):
        services.staff_role_assign(actor=ADMIN, staff=worker, role=approver, grid_codes=["g"])
