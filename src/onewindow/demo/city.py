"""The demo city's structure: departments (a tree), roles, staff with TOTP devices, grids.

The city is planned here and created by identity's seeding service on stable codes and
usernames, so running it twice changes nothing. Called only from
``demo.services.demo_city_seed`` (inside its transaction).
"""

from __future__ import annotations

import hashlib
import hmac
import random
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings

from onewindow.catalog.packages import CityStructure
from onewindow.demo import data
from onewindow.identity.selectors import StaffAccount
from onewindow.identity.services import (
    DepartmentSeed,
    RoleSeed,
    StaffSeed,
    org_structure_seed,
)

ROOT_CODE = "gz"
# A demo staff account as the runner prints it (identity's own record of it).
DemoAccount = StaffAccount


@dataclass
class StructureReport:
    departments: int = 0
    roles: int = 0
    staff: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)


def demo_totp_key(*, seed: int, username: str) -> str:
    """A deterministic 20-byte TOTP key (hex) for a demo staff account. Mixed with SECRET_KEY
    so that a demo deployed with its own secret does not share keys with every other one."""
    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"demo-totp:{seed}:{username}".encode(), hashlib.sha256
    )
    return mac.digest()[:20].hex()


def city_structure() -> CityStructure:
    """The codes of the city's municipal departments (with the root and their district
    branches) and of its roles: what service packages may name, checked against before the
    city is seeded (registered with the catalogue by ``DemoConfig.ready``)."""
    departments = {ROOT_CODE}
    for spec in data.DEPARTMENTS:
        departments.add(f"gz-{spec.abbr}")
        departments.update(f"gz-{spec.abbr}-{district}" for district in spec.branch_districts)
    return CityStructure(
        departments=frozenset(departments), roles=frozenset(spec.code for spec in data.ROLES)
    )


class _Plan:
    """The city's departments and staff in the order they are seeded. Staff names are drawn
    from one stream in that order, also for accounts that exist already (a stable stream)."""

    def __init__(self, *, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(f"onewindow-demo-staff:{seed}")
        self.departments: list[DepartmentSeed] = []
        self.staff: list[StaffSeed] = []

    def _name(self) -> str:
        surnames = [s for s, _ in data.SURNAMES]
        given = self.rng.choice(data.GIVEN_MALE + data.GIVEN_FEMALE)
        return self.rng.choice(surnames) + given

    def department(
        self, code: str, name: str, name_en: str, region: str, parent: str | None
    ) -> str:
        self.departments.append(
            DepartmentSeed(
                code=code, name=name, name_en=name_en, region_code=region, parent_code=parent
            )
        )
        return code

    def make(
        self,
        username: str,
        dept: str,
        role_code: str,
        *,
        title: str,
        kind: Literal["staff", "operator"] = "staff",
        grids: tuple[str, ...] = (),
    ) -> None:
        self.staff.append(
            StaffSeed(
                username=username,
                display_name=self._name(),
                department_code=dept,
                role_code=role_code,
                title=title,
                totp_key=demo_totp_key(seed=self.seed, username=username),
                kind=kind,
                grids=grids,
            )
        )


def _roles() -> list[RoleSeed]:
    return [
        RoleSeed(
            code=spec.code,
            name=spec.name,
            name_en=spec.name_en,
            permissions=spec.permissions,
            grid_scoped=spec.grid_scoped,
        )
        for spec in data.ROLES
    ]


def city_structure_seed(*, seed: int) -> StructureReport:
    """Departments, roles, staff and grids of the demo city (idempotent)."""
    plan = _Plan(seed=seed)
    root = plan.department(
        ROOT_CODE,
        "广州市人民政府",
        "Guangzhou Municipal People's Government",
        data.CITY_CODE,
        None,
    )
    tops: list[tuple[str, str]] = []
    later: list[tuple[str, str, str, str]] = []  # staff of LATER_DEPARTMENTS, seeded last
    branches: list[tuple[str, str]] = []  # (username prefix, department code)
    for spec in data.DEPARTMENTS:
        dept = plan.department(f"gz-{spec.abbr}", spec.name, spec.name_en, data.CITY_CODE, root)
        tops.append((spec.abbr, dept))
        if spec.abbr in data.LATER_DEPARTMENTS:
            later += [
                (f"{spec.abbr}_clerk", dept, "window_clerk", "窗口受理"),
                (f"{spec.abbr}_approver", dept, "approver", "审批科员"),
                (f"{spec.abbr}_admin", dept, "dept_admin", "部门系统管理员"),
            ]
        else:
            plan.make(f"{spec.abbr}_clerk", dept, "window_clerk", title="窗口受理")
            plan.make(f"{spec.abbr}_approver", dept, "approver", title="审批科员")
            plan.make(f"{spec.abbr}_admin", dept, "dept_admin", title="部门系统管理员")
        for abbr in spec.branch_districts:
            district = data.DISTRICT_BY_ABBR[abbr]
            branch = plan.department(
                f"gz-{spec.abbr}-{abbr}",
                f"{data.CITY_NAME}{district.name}{spec.branch_suffix}"
                if spec.abbr in {"gaj", "sthjj", "ghzyj"}
                else f"{district.name}{spec.branch_suffix}",
                f"{district.name_en} branch, {spec.name_en}",
                district.code,
                dept,
            )
            if spec.abbr in data.LATER_DEPARTMENTS:
                branches.append((f"{spec.abbr}_{abbr}", branch))
                later += [
                    (f"{spec.abbr}_{abbr}_clerk", branch, "window_clerk", "窗口受理"),
                    (f"{spec.abbr}_{abbr}_approver", branch, "approver", "审批科员"),
                ]
                continue
            plan.make(f"{spec.abbr}_{abbr}_clerk", branch, "window_clerk", title="窗口受理")
            plan.make(f"{spec.abbr}_{abbr}_approver", branch, "approver", title="审批科员")
        if spec.abbr == data.PLATFORM_DEPARTMENT:
            plan.make(
                data.OPERATOR_USERNAME,
                dept,
                "platform_operator",
                title="平台运维工程师",
                kind="operator",
            )
            plan.make(data.AUDITOR_USERNAME, dept, "auditor", title="安全审计员")

    district_govs: dict[str, str] = {}
    for index, (abbr, street_abbr, street_name, grids) in enumerate(data.STREETS, start=1):
        district = data.DISTRICT_BY_ABBR[abbr]
        if abbr not in district_govs:
            district_govs[abbr] = plan.department(
                f"gz-{abbr}",
                f"{district.name}人民政府",
                f"{district.name_en} People's Government",
                district.code,
                root,
            )
        street = plan.department(
            f"gz-{abbr}-{street_abbr}",
            f"{district.name}{street_name}办事处",
            f"{street_name} Subdistrict Office",
            district.code,
            district_govs[abbr],
        )
        # Grid codes: district code + 3-digit street number (fictional) + "-" + grid number.
        street_code = f"{district.code}{index:03d}"
        branches.append((f"{abbr}_{street_abbr}", street))
        for grid in range(1, grids + 1):
            plan.make(
                f"{abbr}_{street_abbr}_grid{grid}",
                street,
                "grid_worker",
                title="社区网格员",
                grids=(f"{street_code}-{grid:02d}",),
            )
    # A department head (督办) per top-level department, made after everyone else so the
    # names drawn for the staff seeded before them stay what they were.
    for abbr, dept in tops:
        if abbr not in data.LATER_DEPARTMENTS:
            plan.make(f"{abbr}_head", dept, "dept_head", title="部门负责人")
    # Then the departments added later, and the hotline's staff: the dispatcher at the
    # platform's department, an order handler in every municipal department, in the branches
    # of the departments added with the hotline, and in every street office.
    for username, dept, role_code, title in later:
        plan.make(username, dept, role_code, title=title)
    for abbr, dept in tops:
        if abbr in data.LATER_DEPARTMENTS:
            plan.make(f"{abbr}_head", dept, "dept_head", title="部门负责人")
    plan.make(
        data.HOTLINE_DISPATCHER_USERNAME,
        f"gz-{data.PLATFORM_DEPARTMENT}",
        "hotline_dispatcher",
        title="热线派单员",
    )
    for abbr, dept in tops:
        plan.make(f"{abbr}_hotline", dept, "hotline_handler", title="工单办理人员")
    for prefix, dept in branches:
        plan.make(f"{prefix}_hotline", dept, "hotline_handler", title="工单办理人员")
    seeded = org_structure_seed(
        roles=_roles(),
        departments=plan.departments,
        staff=plan.staff,
        password=data.DEMO_STAFF_PASSWORD,
    )
    return StructureReport(
        departments=seeded.departments,
        roles=seeded.roles,
        staff=seeded.staff,
        accounts=list(seeded.accounts),
    )
