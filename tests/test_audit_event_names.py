"""Audit event types are constants: every app names the events it writes in its
``audit_events.py``, and production code passes those names to ``audit_record``, never a
string it spells (or builds) on the spot."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import onewindow

ROOT = Path(onewindow.__file__).parent
NAME = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")


def _production_files() -> list[Path]:
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if "tests" not in path.relative_to(ROOT).parts
        and "migrations" not in path.relative_to(ROOT).parts
    ]


def _spelled(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant | ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _spelled(node.left) or _spelled(node.right)
    if isinstance(node, ast.IfExp):
        return _spelled(node.body) or _spelled(node.orelse)
    return False


def test_audit_record_is_given_a_named_event_type() -> None:
    spelled = []
    for path in _production_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name != "audit_record":
                continue
            for keyword in node.keywords:
                if keyword.arg == "action" and _spelled(keyword.value):
                    spelled.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert spelled == []


def test_each_event_type_is_named_once() -> None:
    seen: dict[str, str] = {}
    for path in sorted(ROOT.glob("*/audit_events.py")):
        module = importlib.import_module(f"onewindow.{path.parent.name}.audit_events")
        for constant, value in vars(module).items():
            if not constant.isupper() or not isinstance(value, str):
                continue
            assert NAME.match(value), (constant, value)
            assert value not in seen, f"{value} is {seen.get(value)} and {constant}"
            seen[value] = f"{path.parent.name}.{constant}"
    assert "cases.case.submit" in seen and "identity.login.lockout" in seen
