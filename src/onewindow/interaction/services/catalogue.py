"""What the hotline office keeps as data: the category tree (诉求分类), the dispatch catalogue
(派单目录: which department answers a category in an area) and the time limits. The default
tree is ``catalog/interaction/categories.yaml``; importing it again changes only what differs
and never deletes a category requests use (one missing from the file is made inactive)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import FieldError, ValidationFailed
from onewindow.identity.selectors import department_get
from onewindow.interaction import audit_events
from onewindow.interaction.models import Category, DispatchRule, TimeLimit
from onewindow.interaction.services._common import DEFAULT_LIMITS

if TYPE_CHECKING:
    from onewindow.identity.models import User


def catalog_dir() -> Path:
    """``catalog/interaction/`` beside the service packages (``ONEWINDOW_CATALOG_DIR`` or the
    ``CATALOG_DIR`` setting overrides where the catalog is)."""
    catalog = getattr(settings, "CATALOG_DIR", None) or os.environ.get("ONEWINDOW_CATALOG_DIR")
    base = Path(catalog) if catalog else Path(settings.PACKAGE_DIR).parent.parent / "catalog"
    return base / "interaction"


@dataclass(frozen=True)
class TreeImport:
    added: int
    changed: int
    deactivated: int
    leaves: int


def _walk(
    nodes: Iterable[Mapping[str, Any]], parent: str | None
) -> Iterable[tuple[Mapping[str, Any], str | None]]:
    for node in nodes:
        yield node, parent
        yield from _walk(node.get("children") or (), str(node["code"]))


def _check_tree(nodes: list[Mapping[str, Any]]) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: set[str] = set()
    for node, parent in _walk(nodes, None):
        code = str(node.get("code") or "")
        where = f"categories.{code or '?'}"
        if not code or not node.get("name"):
            errors.append(FieldError("incomplete", _("每个分类都要有代码和名称。"), where))
        if code in seen:
            errors.append(FieldError("duplicate", _("分类代码重复。"), where))
        if parent and not code.startswith(parent + "."):
            errors.append(FieldError("bad_code", _("下级分类的代码应以上级代码开头。"), where))
        if not node.get("children") and not node.get("department"):
            errors.append(
                FieldError("no_department", _("最细一级的分类要写明默认承办部门。"), where)
            )
        seen.add(code)
    return errors


def category_tree_import(
    *, tree: Mapping[str, Any] | None = None, path: Path | None = None, user: User | None = None
) -> TreeImport:
    """Bring the category table in line with ``tree`` (parsed YAML) or the file at ``path``
    (default: the shipped tree)."""
    if tree is None:
        tree = yaml.safe_load(
            (path or catalog_dir() / "categories.yaml").read_text(encoding="utf-8")
        )
    nodes = list((tree or {}).get("categories") or [])
    errors = _check_tree(nodes)
    if not nodes:
        errors.append(FieldError("empty", _("分类表是空的。"), "categories"))
    if errors:
        raise ValidationFailed(errors[0].message, code=errors[0].code, errors=errors)
    added = changed = leaves = 0
    with transaction.atomic(durable=True):
        existing = {c.code: c for c in Category.objects.select_for_update()}
        codes: set[str] = set()
        for position, (node, parent) in enumerate(_walk(nodes, None)):
            code = str(node["code"])
            codes.add(code)
            is_leaf = not node.get("children")
            leaves += is_leaf
            values = {
                "name": str(node["name"]),
                "name_en": str(node.get("name_en") or ""),
                "department_code": str(node.get("department") or "") if is_leaf else "",
                "position": position,
                "active": True,
                "parent": existing[parent] if parent else None,
            }
            row = existing.get(code)
            if row is None:
                row = Category.objects.create(code=code, **values)
                existing[code] = row
                added += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                row.save()
                changed += 1
        gone = [c.pk for code, c in existing.items() if code not in codes and c.active]
        Category.objects.filter(pk__in=gone).update(active=False)
        result = TreeImport(added=added, changed=changed, deactivated=len(gone), leaves=leaves)
        audit_record(
            actor=Actor.from_user(user) if user else Actor.system("category_tree_import"),
            action=audit_events.CATEGORY_SAVE,
            target_type="interaction.category",
            changes={"added": added, "changed": changed, "deactivated": len(gone)},
        )
    return result


def dispatch_rule_save(
    *,
    user: User | None,
    category_code: str,
    department_code: str,
    region_code: str = "",
    street_code: str = "",
    co_department_codes: Iterable[str] = (),
    functional: bool = True,
    basis: str = "",
    active: bool = True,
) -> DispatchRule:
    """Say which department answers ``category_code`` in an area (the whole city when no
    region is given): the rule for that category and area is replaced."""
    errors: list[FieldError] = []
    category = Category.objects.filter(code=category_code).first()
    if category is None:
        errors.append(FieldError("unknown", _("没有这个诉求分类。"), "category"))
    department = department_get(code=department_code)
    if department is None:
        errors.append(FieldError("unknown", _("没有这个部门。"), "department"))
    co = []
    for code in co_department_codes:
        found = department_get(code=code)
        if found is None:
            errors.append(FieldError("unknown", _("没有这个部门。"), "co_departments"))
        else:
            co.append(found.pk)
    if street_code and not street_code.startswith(region_code or "-"):
        errors.append(FieldError("bad_street", _("街道代码应以所选区代码开头。"), "street_code"))
    if errors:
        raise ValidationFailed(errors[0].message, code=errors[0].code, errors=errors)
    assert category is not None and department is not None
    with transaction.atomic(durable=True):
        rule, created = DispatchRule.objects.update_or_create(
            category=category,
            region_code=region_code,
            street_code=street_code,
            defaults={
                "department": department,
                "co_department_ids": co,
                "functional": functional,
                "basis": basis[:200],
                "active": active,
            },
        )
        audit_record(
            actor=Actor.from_user(user) if user else Actor.system("dispatch_rule_save"),
            action=audit_events.DISPATCH_RULE_SAVE,
            target=rule,
            changes={
                "category": category_code,
                "department": department_code,
                "region_code": region_code,
                "street_code": street_code,
                "new": created,
            },
        )
    return rule


def time_limits_ensure() -> int:
    """Write the default time limits that are not held yet (the hotline office edits them
    afterwards); answers how many were written."""
    have = set(TimeLimit.objects.values_list("kind", "urgency"))
    rows = [
        TimeLimit(
            kind=kind,
            urgency=urgency,
            sign_hours=limits.sign_hours,
            answer_working_days=limits.answer_working_days,
            fallback_working_days=limits.fallback_working_days,
            chase_after_days=limits.chase_after_days,
            max_returns=limits.max_returns,
            max_extension_days=limits.max_extension_days,
        )
        for (kind, urgency), limits in DEFAULT_LIMITS.items()
        if (kind, urgency) not in have
    ]
    TimeLimit.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
