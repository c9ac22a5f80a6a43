"""The hotline's category tree (诉求分类) read from its YAML file: codes, names and, for each
leaf, the department a request in it goes to by default. Pure Python: no Django."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

KINDS = ("consultation", "suggestion", "complaint", "report", "help", "praise")

# The demo city's departments that take hotline requests: the platform's own departments and
# the two the hotline adds (城市管理和综合执法局, 水务局).
KNOWN_DEPARTMENTS = frozenset(
    {
        "gaj", "mzj", "wjw", "jyj", "rsj", "zjj", "scjgj", "swj", "sthjj", "jtj",
        "ghzyj", "ybj", "sfj", "zsj", "cgj", "shuiwj",
    }
)  # fmt: skip


class CategoryTreeError(ValueError):
    """The YAML file does not describe a valid tree."""


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    name_en: str
    parent: str | None
    department: str | None  # leaves only
    depth: int  # 1 for a top-level node

    @property
    def is_leaf(self) -> bool:
        return self.department is not None


@dataclass(frozen=True)
class CategoryTree:
    nodes: tuple[Category, ...]  # depth first, in file order
    kinds: Mapping[str, str]  # kind → Chinese name

    def get(self, code: str) -> Category | None:
        return next((n for n in self.nodes if n.code == code), None)

    @property
    def leaves(self) -> tuple[Category, ...]:
        return tuple(n for n in self.nodes if n.is_leaf)

    def department_of(self, code: str) -> str:
        node = self.get(code)
        if node is None or node.department is None:
            raise KeyError(code)
        return node.department

    def path(self, code: str) -> tuple[Category, ...]:
        """The node and its ancestors, top level first."""
        chain: list[Category] = []
        node = self.get(code)
        while node is not None:
            chain.append(node)
            node = self.get(node.parent) if node.parent else None
        return tuple(reversed(chain))


def tree_load(path: Path, *, departments: Iterable[str] = KNOWN_DEPARTMENTS) -> CategoryTree:
    """Read and check the tree: unique codes, each child's code under its parent's, two or
    three levels, every leaf with a known department."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise CategoryTreeError("no categories list")
    known = frozenset(departments)
    nodes: list[Category] = []
    seen: set[str] = set()

    def walk(items: list[Any], parent: str | None, depth: int) -> None:
        for item in items:
            code = str(item.get("code", ""))
            if not code or not code.isascii() or code in seen:
                raise CategoryTreeError(f"missing, non-ASCII or repeated code: {code!r}")
            if parent and not code.startswith(parent + "."):
                raise CategoryTreeError(f"{code} is not under {parent}")
            if not item.get("name") or not item.get("name_en"):
                raise CategoryTreeError(f"{code} has no name or name_en")
            seen.add(code)
            children = item.get("children")
            department = item.get("department")
            if children:
                if department is not None:
                    raise CategoryTreeError(f"{code}: only leaves name a department")
                if depth >= 3:
                    raise CategoryTreeError(f"{code}: more than three levels")
            elif department not in known:
                raise CategoryTreeError(f"{code}: unknown department {department!r}")
            elif depth == 1:
                raise CategoryTreeError(f"{code}: a top-level node needs children")
            nodes.append(Category(code, item["name"], item["name_en"], parent, department, depth))
            if children:
                walk(children, code, depth + 1)

    walk(data["categories"], None, 1)
    kinds = {k: v["name"] for k, v in (data.get("kinds") or {}).items()}
    if set(kinds) != set(KINDS):
        raise CategoryTreeError("kinds must be exactly " + ", ".join(KINDS))
    return CategoryTree(nodes=tuple(nodes), kinds=kinds)
