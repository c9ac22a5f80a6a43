"""Seeding a generated city's identity records in bulk: its departments, roles and staff
accounts (with their authenticators), and its residents and companies in batches.

These are not the per-record use cases (``department_create``, ``person_register`` …): they
write no audit row of their own, the caller's one use case does (the demo's ``demo.seed``),
and they run inside its transaction. Each is idempotent on stable keys — a department's or
role's code, a username, a citizen ID's blind index, a USCC — so seeding twice adds nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.core.pii import id_number_index, phone_index
from onewindow.identity.models import (
    AssuranceLevel,
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
from onewindow.identity.selectors.seeding import StaffAccount

BATCH = 5000  # rows per INSERT statement (SQLite caps it lower by itself)


@dataclass(frozen=True)
class DepartmentSeed:
    code: str
    name: str
    name_en: str
    region_code: str
    parent_code: str | None = None  # a department seeded before it (or already there)


@dataclass(frozen=True)
class RoleSeed:
    code: str
    name: str
    name_en: str
    permissions: tuple[str, ...]  # "app_label.codename"
    grid_scoped: bool = False


@dataclass(frozen=True)
class StaffSeed:
    username: str
    display_name: str
    department_code: str
    role_code: str
    title: str
    totp_key: str  # hex, for the account's confirmed TOTP device
    kind: Literal["staff", "operator"] = "staff"
    grids: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrgSeeded:
    departments: int  # how many were added now
    roles: int
    staff: int
    accounts: tuple[StaffAccount, ...]  # every staff seed's account, in the order given


def org_structure_seed(
    *,
    roles: Sequence[RoleSeed],
    departments: Sequence[DepartmentSeed],
    staff: Sequence[StaffSeed],
    password: str,
) -> OrgSeeded:
    """Create the roles, departments and staff accounts that are not there yet.

    A role that exists gains the permissions it lacks (never loses any); a department or
    account that exists is left as it is. New accounts share ``password``, hashed once
    (hashing costs a quarter of a second per call)."""
    roles_by_code, roles_added = _roles_seed(roles)
    by_code: dict[str, Department] = {}
    departments_added = 0
    for spec in departments:
        parent = _department_of(spec.parent_code, by_code) if spec.parent_code else None
        dept, created = Department.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "name_en": spec.name_en,
                "region_code": spec.region_code,
                "parent": parent,
            },
        )
        by_code[spec.code] = dept
        departments_added += int(created)
    hashed: list[str] = []
    accounts: list[StaffAccount] = []
    staff_added = 0
    for seed in staff:
        dept = _department_of(seed.department_code, by_code)
        role = roles_by_code.get(seed.role_code) or Role.objects.get(code=seed.role_code)
        user = User.objects.filter(username=seed.username).first()
        if user is None:
            if not hashed:
                hashed.append(make_password(password))
            user = _staff_account_create(seed, dept=dept, role=role, password_hash=hashed[0])
            staff_added += 1
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        accounts.append(
            StaffAccount(
                username=seed.username,
                kind=user.kind,
                department=dept.name,
                role=role.name,
                otpauth_uri=device.config_url if device else "",
            )
        )
    return OrgSeeded(
        departments=departments_added,
        roles=roles_added,
        staff=staff_added,
        accounts=tuple(accounts),
    )


def _roles_seed(roles: Sequence[RoleSeed]) -> tuple[dict[str, Role], int]:
    by_code: dict[str, Role] = {}
    added = 0
    for spec in roles:
        role, created = Role.objects.get_or_create(
            code=spec.code,
            defaults={"name": spec.name, "name_en": spec.name_en, "grid_scoped": spec.grid_scoped},
        )
        added += int(created)
        perms = []
        for label in spec.permissions:
            app_label, codename = label.split(".")
            perms.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        role.permissions.add(*perms)
        by_code[spec.code] = role
    return by_code, added


def _department_of(code: str, seeded: dict[str, Department]) -> Department:
    found = seeded.get(code)
    return found if found is not None else Department.objects.get(code=code)


def _staff_account_create(
    seed: StaffSeed, *, dept: Department, role: Role, password_hash: str
) -> User:
    kind = User.Kind(seed.kind)
    user = User.objects.create(
        username=seed.username,
        kind=kind,
        display_name=seed.display_name,
        password=password_hash,
        is_staff=kind == User.Kind.OPERATOR,
    )
    staff = Staff.objects.create(user=user, department=dept, title=seed.title)
    staff_role = StaffRole.objects.create(staff=staff, role=role, department=dept)
    for grid in seed.grids:
        GridScope.objects.create(staff_role=staff_role, grid_code=grid)
    TOTPDevice.objects.create(user=user, name="default", confirmed=True, key=seed.totp_key)
    return user


@dataclass(frozen=True)
class PersonSeed:
    name: str
    id_number: str
    phone: str
    birth_date: datetime.date | None
    gender: str  # "M", "F" or ""
    region_code: str
    in_person: bool = False  # identity confirmed face to face (level 3), else real-name (2)


@dataclass(frozen=True)
class PersonsSeeded:
    inserted: int  # rows sent to the database (one whose phone is taken is skipped there)
    present: int  # already on record, by citizen ID


def persons_bulk_seed(*, people: Sequence[PersonSeed], check_present: bool = True) -> PersonsSeeded:
    """Insert the people whose citizen ID is not on record yet. Without
    ``check_present`` the caller knows none is there (the look-up is skipped). A person whose
    phone meanwhile belongs to someone who registered is skipped, not an error."""
    bidxs = [id_number_index(p.id_number) for p in people]
    present: set[str | None] = set()
    if check_present:
        present = set(
            Person.objects.filter(id_number_bidx__in=bidxs).values_list("id_number_bidx", flat=True)
        )
    rows = [
        Person(
            name=p.name,
            id_number=p.id_number,  # EncryptedTextField encrypts in get_prep_value
            id_number_bidx=bidx,
            phone=p.phone,
            phone_bidx=phone_index(p.phone),
            birth_date=p.birth_date,
            gender=p.gender,
            region_code=p.region_code,
            assurance=AssuranceLevel.IN_PERSON if p.in_person else AssuranceLevel.REAL_NAME,
        )
        for p, bidx in zip(people, bidxs, strict=True)
        if bidx not in present
    ]
    if rows:
        Person.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return PersonsSeeded(inserted=len(rows), present=len(present))


@dataclass(frozen=True)
class CompanySeed:
    uscc: str
    name: str
    region_code: str
    address: str
    established: datetime.date | None
    legal_representative: str  # the name on the register ("" when none)
    representative_id_number: str = ""  # the legal representative's, when a person on record
    agent_id_number: str = ""  # an agent's (经办人), when any


def companies_bulk_seed(*, companies: Sequence[CompanySeed]) -> int:
    """Insert the companies whose USCC is not on record yet, each with its legal
    representative and agent when they are people on record; returns how many were new."""
    present = set(
        Company.objects.filter(uscc__in=[c.uscc for c in companies]).values_list("uscc", flat=True)
    )
    todo = [c for c in companies if c.uscc not in present]
    made = Company.objects.bulk_create(
        [
            Company(
                uscc=c.uscc,
                name=c.name,
                region_code=c.region_code,
                address=c.address,
                established=c.established,
                legal_representative=c.legal_representative,
            )
            for c in todo
        ]
    )
    made_by_uscc = {company.uscc: company for company in made}
    if not all(company.pk for company in made):  # backends without RETURNING
        made_by_uscc = {
            company.uscc: company
            for company in Company.objects.filter(uscc__in=[c.uscc for c in todo])
        }
    ids = {n for c in todo for n in (c.representative_id_number, c.agent_id_number) if n}
    person_pk = dict(
        Person.objects.filter(id_number_bidx__in={id_number_index(n) for n in ids}).values_list(
            "id_number_bidx", "pk"
        )
    )
    links = []
    for c in todo:
        company = made_by_uscc[c.uscc]
        for id_number, role in (
            (c.representative_id_number, CompanyAgent.Role.LEGAL_REPRESENTATIVE),
            (c.agent_id_number, CompanyAgent.Role.AGENT),
        ):
            pk = person_pk.get(id_number_index(id_number)) if id_number else None
            if pk is not None:
                links.append(CompanyAgent(company=company, person_id=pk, role=role))
    CompanyAgent.objects.bulk_create(links, ignore_conflicts=True)
    return len(todo)
