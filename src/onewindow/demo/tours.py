"""演示账号 (``/demo/``): who to log in as to walk a service through, read from the city.

For each tour service, every step of its process with the demo staff who hold the step's
role in the step's department (or a department above it, which may act on it), so the
list is true by construction: it names exactly the accounts that will see the task. The
printed residents come with their ID numbers (demo data, made up) and what their records
make of the housing services."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.catalog.packages.process import company_group_question, resolve_group
from onewindow.catalog.selectors import service_version_current
from onewindow.core.errors import NotFound
from onewindow.demo import data
from onewindow.identity.models import Department, StaffRole
from onewindow.identity.selectors import person_find_by_phone

# The services the README and docs/demo-walkthrough.md walk through, in that order.
TOUR_SERVICES = (
    "hk-macau-reendorsement",
    "public-rental-housing",
    "marriage-registration",
    "graduate-employment-express",
    "birth-one-stop",
)
# What the departments' records make of each printed resident (the exchange seed decides).
RESIDENT_NOTES = {
    "13800000001": "公共租赁住房：符合条件（收入、住房均在标准内）",
    "13800000002": "公共租赁住房：名下有两套住房，不符合条件",
    "13800000003": "公共租赁住房：家庭收入高于标准，不符合条件",
}


@dataclass(frozen=True)
class DemoResident:
    name: str
    phone: str
    id_number: str
    note: str


@dataclass(frozen=True)
class TourStep:
    name: str
    department: str
    role: str
    usernames: tuple[str, ...]
    company: bool = False  # held by the company the applicant names (企业待办), not staff


@dataclass(frozen=True)
class Tour:
    code: str
    name: str
    steps: tuple[TourStep, ...]


@dataclass(frozen=True)
class StaffLogin:
    username: str
    department: str
    role: str
    code: str  # the TOTP code now
    seconds_left: int


def demo_residents() -> list[DemoResident]:
    out = []
    for phone, name, _district in data.DEMO_RESIDENTS:
        person = person_find_by_phone(phone=phone)
        if person is None:
            continue
        out.append(
            DemoResident(
                name=person.name or name,
                phone=phone,
                id_number=person.id_number,
                note=RESIDENT_NOTES.get(phone, ""),
            )
        )
    return out


def _holders(department_code: str, role_code: str) -> tuple[str, ...]:
    """Usernames holding the role in the department or a department above it."""
    department = Department.objects.filter(code=department_code).first()
    if department is None:
        return ()
    chain = [department.pk] + [d.pk for d in department.ancestors()]
    rows = StaffRole.objects.filter(role__code=role_code, department_id__in=chain)
    names = rows.values_list("staff__user__username", flat=True).order_by("staff__user__username")
    return tuple(dict.fromkeys(names))


def demo_tours() -> list[Tour]:
    names = dict(Department.objects.values_list("code", "name"))
    roles_by_code = dict(StaffRole.objects.values_list("role__code", "role__name"))
    tours = []
    for code in TOUR_SERVICES:
        try:
            version = service_version_current(code=code)
        except NotFound:  # not in this city's catalogue
            continue
        definition = version.definition or {}
        package_roles = definition.get("roles") or {}
        steps = []
        for task in ((version.process_spec or {}).get("user_tasks") or {}).values():
            for group in task.get("candidate_groups") or []:
                if company_group_question(str(group)) is not None:
                    steps.append(TourStep(task.get("name") or "", "", "", (), company=True))
                    continue
                target = resolve_group(str(group), package_roles)
                if target is None:  # "${dept}": the departments chosen on the form
                    steps.append(TourStep(task.get("name") or "", "按申请所选部门", "", ()))
                    continue
                department, role = target
                steps.append(
                    TourStep(
                        name=task.get("name") or "",
                        department=names.get(department, department),
                        role=roles_by_code.get(role, role),
                        usernames=_holders(department, role),
                    )
                )
        tours.append(Tour(code=code, name=version.service.display_name, steps=tuple(steps)))
    return tours


def demo_staff_logins(usernames: list[str]) -> list[StaffLogin]:
    """The given staff accounts with the TOTP code they would type now (demo only)."""
    now = time.time()
    devices = {
        d.user.username: d
        for d in TOTPDevice.objects.filter(
            user__username__in=usernames, confirmed=True
        ).select_related("user")
    }
    held = {
        sr.staff.user.username: sr
        for sr in StaffRole.objects.filter(staff__user__username__in=usernames).select_related(
            "staff__user", "role", "department"
        )
    }
    out = []
    for username in usernames:
        device, role = devices.get(username), held.get(username)
        if device is None or role is None:
            continue
        totp = TOTP(
            device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
        )
        totp.time = now
        out.append(
            StaffLogin(
                username=username,
                department=role.department.name,
                role=role.role.name,
                code=f"{totp.token():0{device.digits}d}",
                seconds_left=device.step - int(now - device.t0) % device.step,
            )
        )
    return out
