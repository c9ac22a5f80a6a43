"""Reads for the demo runner: is the city there, which demo accounts to print."""

from __future__ import annotations

from onewindow.demo import data
from onewindow.demo.city import ROOT_CODE, DemoAccount
from onewindow.identity.selectors import department_get, staff_accounts


def demo_city_exists() -> bool:
    return department_get(code=ROOT_CODE) is not None


def demo_printed_usernames() -> list[str]:
    return [
        *(f"{abbr}_clerk" for abbr in data.KEY_DEPARTMENTS),
        data.OPERATOR_USERNAME,
        data.AUDITOR_USERNAME,
    ]


def demo_accounts(usernames: list[str]) -> list[DemoAccount]:
    """The given staff accounts with their role, department and TOTP provisioning URI."""
    return staff_accounts(usernames=usernames)
