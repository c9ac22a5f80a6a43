"""Seeding a generated city in bulk (identity.services.seeding) and the reads its tools use."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.cn import ric

from onewindow.audit.models import AuditEvent
from onewindow.identity.models import (
    AssuranceLevel,
    Company,
    CompanyAgent,
    Department,
    GridScope,
    Person,
    Role,
    User,
)
from onewindow.identity.selectors import (
    company_contacts,
    role_holder_usernames,
    staff_accounts,
    staff_totp_codes,
)
from onewindow.identity.services import (
    CompanySeed,
    DepartmentSeed,
    OrgSeeded,
    PersonSeed,
    RoleSeed,
    StaffSeed,
    companies_bulk_seed,
    org_structure_seed,
    persons_bulk_seed,
)

pytestmark = pytest.mark.django_db

KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key (hex)
ROLES = [
    RoleSeed(code="clerk", name="窗口受理", name_en="Clerk", permissions=("identity.view_person",)),
    RoleSeed(code="grid", name="网格员", name_en="Grid", permissions=(), grid_scoped=True),
]
DEPARTMENTS = [
    DepartmentSeed(code="c", name="市政府", name_en="City", region_code="440100"),
    DepartmentSeed(code="c-a", name="甲局", name_en="A", region_code="440100", parent_code="c"),
]
STAFF = [
    StaffSeed(
        username="a_clerk",
        display_name="陈一",
        department_code="c-a",
        role_code="clerk",
        title="窗口受理",
        totp_key=KEY,
    ),
    StaffSeed(
        username="ops",
        display_name="陈二",
        department_code="c",
        role_code="grid",
        title="运维",
        totp_key=KEY,
        kind="operator",
        grids=("440106001-01",),
    ),
]


def _seed() -> OrgSeeded:
    return org_structure_seed(
        roles=ROLES, departments=DEPARTMENTS, staff=STAFF, password="demo-pass-1"
    )


def test_the_structure_is_seeded_once() -> None:
    first = _seed()
    assert (first.departments, first.roles, first.staff) == (2, 2, 2)
    assert Department.objects.get(code="c-a").parent == Department.objects.get(code="c")
    assert Role.objects.get(code="grid").grid_scoped
    assert GridScope.objects.get().grid_code == "440106001-01"
    ops = User.objects.get(username="ops")
    assert ops.kind == User.Kind.OPERATOR and ops.is_staff
    assert TOTPDevice.objects.get(user=ops, confirmed=True).key == KEY
    # one password hash for every new account, and it works
    assert User.objects.values("password").distinct().count() == 1
    request = RequestFactory().post("/account/login/")
    assert authenticate(request, username="a_clerk", password="demo-pass-1") is not None
    again = _seed()
    assert (again.departments, again.roles, again.staff) == (0, 0, 0)
    assert [a.username for a in again.accounts] == ["a_clerk", "ops"]
    assert not AuditEvent.objects.exists()  # the caller's use case writes the audit row


def test_a_role_seeded_again_gains_permissions_it_lacks() -> None:
    _seed()
    more = RoleSeed(
        code="clerk",
        name="窗口受理",
        name_en="Clerk",
        permissions=("identity.view_person", "identity.view_company"),
    )
    org_structure_seed(roles=[more], departments=[], staff=[], password="x")
    codenames = set(Role.objects.get(code="clerk").permissions.values_list("codename", flat=True))
    assert codenames == {"view_person", "view_company"}


def test_staff_reads_give_role_department_and_totp() -> None:
    _seed()
    accounts = staff_accounts(usernames=["ops", "nobody", "a_clerk"])
    assert [(a.username, a.kind, a.department, a.role) for a in accounts] == [
        ("ops", "operator", "市政府", "网格员"),
        ("a_clerk", "staff", "甲局", "窗口受理"),
    ]
    assert accounts[1].otpauth_uri.startswith("otpauth://totp/")
    # RFC 6238 appendix B: at T=59 the SHA-1 key's 8-digit code is 94287082 (6 digits: 287082)
    (code,) = staff_totp_codes(usernames=["a_clerk"], at=59)
    assert (code.code, code.seconds_left) == ("287082", 1)
    # holders in the department or above it
    assert role_holder_usernames(department_code="c-a", role_code="grid") == ("ops",)
    assert role_holder_usernames(department_code="c", role_code="clerk") == ()
    assert role_holder_usernames(department_code="missing", role_code="clerk") == ()


def _person(n: int, *, in_person: bool = False) -> PersonSeed:
    body = f"44010619900101{n:03d}"
    return PersonSeed(
        name=f"居民{n}",
        id_number=body + ric.calc_check_digit(body),
        phone=f"1390000{n:04d}",
        birth_date=datetime.date(1990, 1, 1),
        gender="M",
        region_code="440106",
        in_person=in_person,
    )


def test_people_are_inserted_once_by_citizen_id() -> None:
    first = persons_bulk_seed(people=[_person(1), _person(2, in_person=True)])
    assert (first.inserted, first.present) == (2, 0)
    people = {p.name: p for p in Person.objects.all()}
    assert people["居民1"].assurance == AssuranceLevel.REAL_NAME
    assert people["居民2"].assurance == AssuranceLevel.IN_PERSON
    assert people["居民1"].id_number == _person(1).id_number  # stored encrypted, read back
    again = persons_bulk_seed(people=[_person(1), _person(2), _person(3)])
    assert (again.inserted, again.present) == (1, 2)
    assert Person.objects.count() == 3


def test_companies_are_linked_to_their_people() -> None:
    persons_bulk_seed(people=[_person(1), _person(2)])
    seed = CompanySeed(
        uscc="91440106MA5DJX01X6",
        name="甲公司",
        region_code="440106",
        address="天河路1号",
        established=datetime.date(2024, 1, 1),
        legal_representative="居民1",
        representative_id_number=_person(1).id_number,
        agent_id_number=_person(2).id_number,
    )
    assert companies_bulk_seed(companies=[seed]) == 1
    assert companies_bulk_seed(companies=[seed]) == 0
    company = Company.objects.get()
    roles = dict(company.agents.values_list("person__name", "role"))
    assert roles == {
        "居民1": CompanyAgent.Role.LEGAL_REPRESENTATIVE,
        "居民2": CompanyAgent.Role.AGENT,
    }
    contacts = company_contacts(uscc=seed.uscc)
    assert contacts is not None
    assert (contacts.legal_representative, contacts.agent, contacts.agent_phone) == (
        "居民1",
        "居民2",
        _person(2).phone,
    )
    assert company_contacts(uscc="91440106MA5DJX0200") is None
