"""The request category tree as the forms offer it: the leaves, grouped by their parent."""

from __future__ import annotations

from onewindow.interaction.models import Category


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """``[(group, [(code, name), …]), …]``: every active leaf under its parent's path
    (``城市管理 › 市容环卫``), in the tree's order; top-level leaves form a group of their own
    name's parent-less kind (the group is the leaf's own name)."""
    nodes = list(Category.objects.filter(active=True).order_by("position", "code"))
    by_id = {node.pk: node for node in nodes}
    parents = {node.parent_id for node in nodes if node.parent_id}

    def path(node: Category) -> str:
        names = []
        seen: set[int] = set()
        current: Category | None = node
        while current is not None and current.pk not in seen:
            seen.add(current.pk)
            names.append(current.name)
            current = by_id.get(current.parent_id) if current.parent_id else None
        return " › ".join(reversed(names))

    groups: dict[str, list[tuple[str, str]]] = {}
    for node in nodes:
        if node.pk in parents:
            continue
        if node.parent_id and node.parent_id not in by_id:
            continue  # under an inactive branch
        parent = by_id.get(node.parent_id) if node.parent_id else None
        label = path(parent) if parent is not None else node.name
        groups.setdefault(label, []).append((node.code, node.name))
    return list(groups.items())


def category_name(*, code: str) -> str:
    return Category.objects.filter(code=code).values_list("name", flat=True).first() or ""


def category_id_for_code(*, code: str) -> int | None:
    return Category.objects.filter(code=code).values_list("pk", flat=True).first()


def category_leaf_lines() -> list[tuple[str, str]]:
    """Each active leaf's code and the department line (code) the category tree names."""
    return list(
        Category.objects.filter(active=True, children__isnull=True)
        .exclude(department_code="")
        .values_list("code", "department_code")
        .order_by("code")
    )


def dispatch_rule_exists(*, category_code: str, region_code: str = "") -> bool:
    from onewindow.interaction.models import DispatchRule

    return DispatchRule.objects.filter(
        category__code=category_code, region_code=region_code, street_code=""
    ).exists()
