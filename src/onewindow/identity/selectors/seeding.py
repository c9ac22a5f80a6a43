"""Reads a seeded city's tools need (the demo's runner and its accounts page): staff accounts
with their roles and authenticators, who holds a role, a company's contacts. Other apps
import them from ``onewindow.identity.selectors``."""

from __future__ import annotations

import datetime
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.identity.models import Company, CompanyAgent, Department, Person, StaffRole, User


@dataclass(frozen=True)
class StaffAccount:
    """A staff account as its holder logs in: a role it holds, in that role's department,
    and its TOTP provisioning URI (empty without a confirmed device)."""

    username: str
    kind: str
    department: str
    role: str
    otpauth_uri: str


@dataclass(frozen=True)
class StaffTotpCode:
    username: str
    department: str
    role: str
    code: str  # the TOTP code at the time asked for
    seconds_left: int  # until the next code


@dataclass(frozen=True)
class CompanyContacts:
    uscc: str
    name: str
    legal_representative: str  # name
    legal_representative_phone: str
    agent: str  # name of an agent in force, "" when none
    agent_phone: str
    agent_valid_until: datetime.date | None


def user_get_by_username(*, username: str) -> User | None:
    return User.objects.filter(username=username).first()


def person_list_with_id_number(*, limit: int) -> list[Person]:
    """The first people on record (by id) who have a citizen ID."""
    return list(Person.objects.exclude(id_number="").order_by("pk")[:limit])


def _roles_held(usernames: Sequence[str]) -> dict[str, StaffRole]:
    """A role each account holds (with its role and department), by username."""
    return {
        sr.staff.user.username: sr
        for sr in StaffRole.objects.filter(staff__user__username__in=usernames).select_related(
            "staff__user", "role", "department"
        )
    }


def _devices(usernames: Sequence[str]) -> dict[str, TOTPDevice]:
    return {
        d.user.username: d
        for d in TOTPDevice.objects.filter(
            user__username__in=usernames, confirmed=True
        ).select_related("user")
    }


def staff_accounts(*, usernames: Sequence[str]) -> list[StaffAccount]:
    """The given staff accounts (in that order; those holding no role left out) with a role
    they hold, its department and their TOTP provisioning URI."""
    roles, devices = _roles_held(usernames), _devices(usernames)
    accounts = []
    for username in usernames:
        staff_role = roles.get(username)
        if staff_role is None:
            continue
        device = devices.get(username)
        accounts.append(
            StaffAccount(
                username=username,
                kind=staff_role.staff.user.kind,
                department=staff_role.department.name,
                role=staff_role.role.name,
                otpauth_uri=device.config_url if device else "",
            )
        )
    return accounts


def staff_totp_codes(*, usernames: Sequence[str], at: float | None = None) -> list[StaffTotpCode]:
    """The TOTP code each given staff account would type at ``at`` (a Unix time, default
    now), with a role it holds: for a demo's accounts page, never a real deployment's."""
    from django_otp.oath import TOTP

    now = time.time() if at is None else at
    devices, held = _devices(usernames), _roles_held(usernames)
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
            StaffTotpCode(
                username=username,
                department=role.department.name,
                role=role.role.name,
                code=f"{totp.token():0{device.digits}d}",
                seconds_left=device.step - int(now - device.t0) % device.step,
            )
        )
    return out


def role_holder_usernames(*, department_code: str, role_code: str) -> tuple[str, ...]:
    """Usernames holding the role in the department or a department above it (who will see
    that department's tasks for the role), by username."""
    department = Department.objects.filter(code=department_code).first()
    if department is None:
        return ()
    chain = [department.pk] + [d.pk for d in department.ancestors()]
    rows = StaffRole.objects.filter(role__code=role_code, department_id__in=chain)
    names = rows.values_list("staff__user__username", flat=True).order_by("staff__user__username")
    return tuple(dict.fromkeys(names))


def company_contacts(*, uscc: str, on: datetime.date | None = None) -> CompanyContacts | None:
    """The company's legal representative and an agent in force on ``on`` (default today),
    with their phones, or None for an unknown USCC."""
    company = Company.objects.filter(uscc=uscc).first()
    if company is None:
        return None
    rows = list(company.agents.select_related("person").order_by("role", "pk"))
    today = on or timezone.localdate()
    rep = next((r for r in rows if r.role == CompanyAgent.Role.LEGAL_REPRESENTATIVE), None)
    agent = next((r for r in rows if r.role == CompanyAgent.Role.AGENT and r.in_force(today)), None)
    return CompanyContacts(
        uscc=company.uscc,
        name=company.name,
        legal_representative=rep.person.name if rep else company.legal_representative,
        legal_representative_phone=_phone(rep),
        agent=agent.person.name if agent else "",
        agent_phone=_phone(agent),
        agent_valid_until=agent.valid_until if agent else None,
    )


def _phone(row: CompanyAgent | None) -> str:
    return (row.person.phone or "") if row is not None else ""
