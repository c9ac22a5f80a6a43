"""``onewindow service_roles [--json]``: the department codes and role codes a service
package may use in ``roles:`` of service.yaml and in ``camunda:candidateGroups``
(``<department>:<role>``), read from the database."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from onewindow.identity.selectors import department_list, role_list


def service_roles() -> dict[str, list[dict[str, str]]]:
    """Departments (code, name, parent code) and roles (code, name), by code."""
    return {
        "departments": [
            {
                "code": d.code,
                "name": d.name,
                "name_en": d.name_en,
                "parent": d.parent.code if d.parent else "",
            }
            for d in department_list()
        ],
        "roles": [{"code": r.code, "name": r.name, "name_en": r.name_en} for r in role_list()],
    }


def _table(rows: list[list[str]]) -> list[str]:
    """Columns padded to their widest cell (a CJK character counts as two columns)."""

    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)

    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(row)).rstrip()
        for row in rows
    ]


class Command(BaseCommand):
    help = (
        "List the department codes and role codes a service package may use in roles: "
        "and camunda:candidateGroups (department:role)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print JSON instead of tables")

    def handle(self, *args: Any, **options: Any) -> None:
        data = service_roles()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        if not data["departments"]:
            self.stderr.write(
                _("数据库中还没有部门：请先建立组织架构（演示城市：onewindow seed_demo）。")
            )
        self.stdout.write(_("部门"))
        departments = [[_("代码"), _("名称"), _("上级部门")]]
        departments += [[d["code"], d["name"], d["parent"] or "-"] for d in data["departments"]]
        for line in _table(departments):
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(_("角色"))
        roles = [[_("代码"), _("名称")]] + [[r["code"], r["name"]] for r in data["roles"]]
        for line in _table(roles):
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(
            _(
                "在 service.yaml 的 roles: 中写 {department: 部门代码, role: 角色代码}，"
                "或在 camunda:candidateGroups 中写 部门代码:角色代码（如 gz-gaj:approver）。"
            )
        )
