"""Reads for the staff workbench. The task inbox is empty until the case engine provides
tasks; the header facts come from the staff member's identity records."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language

from onewindow.identity.models import Staff, StaffRole


@dataclass(frozen=True)
class RoleHeld:
    name: str
    department: str


@dataclass(frozen=True)
class WorkbenchHeader:
    name: str
    title: str
    department: str
    roles: list[RoleHeld] = field(default_factory=list)


@dataclass(frozen=True)
class InboxTask:
    case_reference: str
    service_name: str
    applicant: str  # already masked
    step: str
    working_days_left: int
    due_on: datetime.date | None
    url: str


def _localised(name: str, name_en: str) -> str:
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name


def workbench_header_for(*, user: Any) -> WorkbenchHeader:
    """Name, department and roles of the staff member, for the workbench header."""
    name = str(user.display_name or user.get_full_name() or user.username)
    staff = Staff.objects.select_related("department").filter(user=user).first()
    if staff is None:
        return WorkbenchHeader(name=name, title="", department="")
    held = (
        StaffRole.objects.filter(staff=staff)
        .select_related("role", "department")
        .order_by("role__code", "department__code")
    )
    roles = [
        RoleHeld(
            name=_localised(sr.role.name, sr.role.name_en),
            department=_localised(sr.department.name, sr.department.name_en),
        )
        for sr in held
    ]
    return WorkbenchHeader(
        name=name,
        title=staff.title,
        department=_localised(staff.department.name, staff.department.name_en),
        roles=roles,
    )


def inbox_for(*, user: Any) -> list[InboxTask]:
    """Open tasks the staff member may work on. Filled by the case engine."""
    return []
