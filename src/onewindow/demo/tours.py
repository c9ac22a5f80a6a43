"""演示账号 (``/demo/``): who to log in as to walk a service through, read from the city.

For each tour service, every step of its process with the demo staff who hold the step's
role in the step's department (or a department above it, which may act on it), so the
list is true by construction: it names exactly the accounts that will see the task. The
printed residents come with their ID numbers (demo data, made up) and what their records
make of the housing services."""

from __future__ import annotations

from dataclasses import dataclass

from onewindow.catalog.packages.process import company_group_question, resolve_group
from onewindow.catalog.selectors import service_version_current
from onewindow.core.errors import NotFound
from onewindow.demo import data
from onewindow.identity.selectors import (
    StaffTotpCode,
    department_list,
    person_find_by_phone,
    role_holder_usernames,
    role_list,
    staff_totp_codes,
)

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


# A staff account with the TOTP code it would type now (the page's 员工账号).
StaffLogin = StaffTotpCode


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


def demo_tours() -> list[Tour]:
    names = {department.code: department.name for department in department_list()}
    roles_by_code = {role.code: role.name for role in role_list()}
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
                        usernames=role_holder_usernames(department_code=department, role_code=role),
                    )
                )
        tours.append(Tour(code=code, name=version.service.display_name, steps=tuple(steps)))
    return tours


def demo_staff_logins(usernames: list[str]) -> list[StaffLogin]:
    """The given staff accounts with the TOTP code they would type now (demo only)."""
    return staff_totp_codes(usernames=usernames)
