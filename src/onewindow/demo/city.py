"""The demo city's structure: departments (a tree), roles, staff with TOTP devices, grids.

Everything here is created with get-or-create on stable codes and usernames, so running it
twice changes nothing. Called only from ``demo.services.demo_city_seed`` (inside its
transaction).
"""

from __future__ import annotations

import hashlib
import hmac
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.demo import data
from onewindow.identity.models import Department, GridScope, Role, Staff, StaffRole, User

ROOT_CODE = "gz"


@dataclass
class StructureReport:
    departments: int = 0
    roles: int = 0
    staff: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    kind: str
    department: str
    role: str
    otpauth_uri: str


def demo_totp_key(*, seed: int, username: str) -> str:
    """A deterministic 20-byte TOTP key (hex) for a demo staff account. Mixed with SECRET_KEY
    so that a demo deployed with its own secret does not share keys with every other one."""
    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"demo-totp:{seed}:{username}".encode(), hashlib.sha256
    )
    return mac.digest()[:20].hex()


def _department(
    code: str, name: str, name_en: str, region: str, parent: Department | None, rep: StructureReport
) -> Department:
    dept, created = Department.objects.get_or_create(
        code=code,
        defaults={"name": name, "name_en": name_en, "region_code": region, "parent": parent},
    )
    rep.departments += int(created)
    return dept


def _roles(rep: StructureReport) -> dict[str, Role]:
    roles: dict[str, Role] = {}
    for spec in data.ROLES:
        role, created = Role.objects.get_or_create(
            code=spec.code,
            defaults={"name": spec.name, "name_en": spec.name_en, "grid_scoped": spec.grid_scoped},
        )
        rep.roles += int(created)
        perms = []
        for label in spec.permissions:
            app_label, codename = label.split(".")
            perms.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        # A role seeded by an older version gains permissions added since (never loses any).
        role.permissions.add(*perms)
        roles[spec.code] = role
    return roles


class _StaffMaker:
    def __init__(self, *, seed: int, roles: dict[str, Role], rep: StructureReport) -> None:
        self.seed = seed
        self.roles = roles
        self.rep = rep
        self.rng = random.Random(f"onewindow-demo-staff:{seed}")
        # Every demo staff account shares the public demo password; hashing it once (one salt)
        # keeps seeding fast — password hashing costs a quarter of a second per call.
        self._password_hash: str | None = None

    def password_hash(self) -> str:
        if self._password_hash is None:
            self._password_hash = make_password(data.DEMO_STAFF_PASSWORD)
        return self._password_hash

    def _name(self) -> str:
        surnames = [s for s, _ in data.SURNAMES]
        given = self.rng.choice(data.GIVEN_MALE + data.GIVEN_FEMALE)
        return self.rng.choice(surnames) + given

    def make(
        self,
        username: str,
        dept: Department,
        role_code: str,
        *,
        title: str,
        kind: str = User.Kind.STAFF,
        grids: tuple[str, ...] = (),
    ) -> None:
        display_name = self._name()  # drawn even when the account exists: stable stream
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(
                username=username,
                kind=kind,
                display_name=display_name,
                password=self.password_hash(),
                is_staff=kind == User.Kind.OPERATOR,
            )
            staff = Staff.objects.create(user=user, department=dept, title=title)
            staff_role = StaffRole.objects.create(
                staff=staff, role=self.roles[role_code], department=dept
            )
            for grid in grids:
                GridScope.objects.create(staff_role=staff_role, grid_code=grid)
            TOTPDevice.objects.create(
                user=user,
                name="default",
                confirmed=True,
                key=demo_totp_key(seed=self.seed, username=username),
            )
            self.rep.staff += 1
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        self.rep.accounts.append(
            DemoAccount(
                username=username,
                kind=user.kind,
                department=dept.name,
                role=self.roles[role_code].name,
                otpauth_uri=device.config_url if device else "",
            )
        )


def city_structure_seed(*, seed: int) -> StructureReport:
    """Departments, roles, staff and grids of the demo city (idempotent)."""
    rep = StructureReport()
    roles = _roles(rep)
    maker = _StaffMaker(seed=seed, roles=roles, rep=rep)
    root = _department(
        ROOT_CODE,
        "广州市人民政府",
        "Guangzhou Municipal People's Government",
        data.CITY_CODE,
        None,
        rep,
    )
    tops: list[tuple[str, Department]] = []
    for spec in data.DEPARTMENTS:
        dept = _department(f"gz-{spec.abbr}", spec.name, spec.name_en, data.CITY_CODE, root, rep)
        tops.append((spec.abbr, dept))
        maker.make(f"{spec.abbr}_clerk", dept, "window_clerk", title="窗口受理")
        maker.make(f"{spec.abbr}_approver", dept, "approver", title="审批科员")
        maker.make(f"{spec.abbr}_admin", dept, "dept_admin", title="部门系统管理员")
        for abbr in spec.branch_districts:
            district = data.DISTRICT_BY_ABBR[abbr]
            branch = _department(
                f"gz-{spec.abbr}-{abbr}",
                f"{data.CITY_NAME}{district.name}{spec.branch_suffix}"
                if spec.abbr in {"gaj", "sthjj", "ghzyj"}
                else f"{district.name}{spec.branch_suffix}",
                f"{district.name_en} branch, {spec.name_en}",
                district.code,
                dept,
                rep,
            )
            maker.make(f"{spec.abbr}_{abbr}_clerk", branch, "window_clerk", title="窗口受理")
            maker.make(f"{spec.abbr}_{abbr}_approver", branch, "approver", title="审批科员")
        if spec.abbr == data.PLATFORM_DEPARTMENT:
            maker.make(
                data.OPERATOR_USERNAME,
                dept,
                "platform_operator",
                title="平台运维工程师",
                kind=User.Kind.OPERATOR,
            )
            maker.make(data.AUDITOR_USERNAME, dept, "auditor", title="安全审计员")

    district_govs: dict[str, Department] = {}
    for index, (abbr, street_abbr, street_name, grids) in enumerate(data.STREETS, start=1):
        district = data.DISTRICT_BY_ABBR[abbr]
        if abbr not in district_govs:
            district_govs[abbr] = _department(
                f"gz-{abbr}",
                f"{district.name}人民政府",
                f"{district.name_en} People's Government",
                district.code,
                root,
                rep,
            )
        street = _department(
            f"gz-{abbr}-{street_abbr}",
            f"{district.name}{street_name}办事处",
            f"{street_name} Subdistrict Office",
            district.code,
            district_govs[abbr],
            rep,
        )
        # Grid codes: district code + 3-digit street number (fictional) + "-" + grid number.
        street_code = f"{district.code}{index:03d}"
        for grid in range(1, grids + 1):
            maker.make(
                f"{abbr}_{street_abbr}_grid{grid}",
                street,
                "grid_worker",
                title="社区网格员",
                grids=(f"{street_code}-{grid:02d}",),
            )
    # A department head (督办) per top-level department, made after everyone else so the
    # names drawn for the staff seeded before them stay what they were.
    for abbr, dept in tops:
        maker.make(f"{abbr}_head", dept, "dept_head", title="部门负责人")
    return rep
