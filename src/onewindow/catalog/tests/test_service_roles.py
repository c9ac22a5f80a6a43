"""``onewindow service_roles``: the department and role codes a package may use."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("service_roles", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_lists_departments_with_parents_and_roles(city: None) -> None:
    data = json.loads(_run("--json")[0])
    departments = {d["code"]: d for d in data["departments"]}
    assert departments["gz"] == {
        "code": "gz",
        "name": "广州市人民政府",
        "name_en": "Guangzhou Municipal People's Government",
        "parent": "",
    }
    assert departments["gz-gaj"]["name"] == "广州市公安局"
    assert departments["gz-gaj"]["parent"] == "gz"
    assert departments["gz-gaj-th"]["parent"] == "gz-gaj"  # a district branch
    assert [d["code"] for d in data["departments"]] == sorted(departments)
    roles = {r["code"]: r["name"] for r in data["roles"]}
    assert roles["window_clerk"] == "窗口受理人员"
    assert roles["approver"] == "审批人员"
    assert [r["code"] for r in data["roles"]] == sorted(roles)


def test_tables_show_code_name_and_parent(city: None) -> None:
    out, err = _run()
    lines = out.splitlines()
    assert lines[0] == "部门"
    assert lines[1].split() == ["代码", "名称", "上级部门"]
    assert any(line.split() == ["gz-gaj", "广州市公安局", "gz"] for line in lines)
    assert any(line.split() == ["gz", "广州市人民政府", "-"] for line in lines)
    roles = lines[lines.index("角色") :]
    assert roles[1].split() == ["代码", "名称"]
    assert any(line.split() == ["approver", "审批人员"] for line in roles)
    assert "gz-gaj:approver" in out  # how to write a candidate group
    assert err == ""


def test_an_empty_database_says_where_departments_come_from() -> None:
    _out, err = _run()
    assert "数据库中还没有部门" in err
    assert json.loads(_run("--json")[0]) == {"departments": [], "roles": []}
