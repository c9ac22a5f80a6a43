"""Reads for the demo runner: is the city there, which demo accounts to print."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.demo import data
from onewindow.demo.city import ROOT_CODE, DemoAccount
from onewindow.identity.models import Department, StaffRole


def demo_city_exists() -> bool:
    return Department.objects.filter(code=ROOT_CODE).exists()


def demo_printed_usernames() -> list[str]:
    return [
        *(f"{abbr}_clerk" for abbr in data.KEY_DEPARTMENTS),
        data.OPERATOR_USERNAME,
        data.AUDITOR_USERNAME,
    ]


def demo_accounts(usernames: list[str]) -> list[DemoAccount]:
    """The given staff accounts with their role, department and TOTP provisioning URI."""
    roles = {
        sr.staff.user.username: sr
        for sr in StaffRole.objects.filter(staff__user__username__in=usernames).select_related(
            "staff__user", "role", "department"
        )
    }
    devices = {
        d.user.username: d
        for d in TOTPDevice.objects.filter(
            user__username__in=usernames, confirmed=True
        ).select_related("user")
    }
    accounts = []
    for username in usernames:
        staff_role = roles.get(username)
        if staff_role is None:
            continue
        device = devices.get(username)
        accounts.append(
            DemoAccount(
                username=username,
                kind=staff_role.staff.user.kind,
                department=staff_role.department.name,
                role=staff_role.role.name,
                otpauth_uri=device.config_url if device else "",
            )
        )
    return accounts
