"""Checks of ``form.schema.json``: valid JSON, a valid draft 2020-12 schema, and our
conventions (every property has ``title`` and ``x-title-en``; ``x-order`` names only
existing properties; known ``format`` values; ``x-enum-labels`` match ``enum``)."""

from __future__ import annotations

import json
import re
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, SchemaError

from onewindow.catalog.packages.problem import Problem

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
KNOWN_FORMATS = frozenset(
    {"date", "date-time", "time", "email", "uri", "citizen-id", "uscc", "phone", "person-name"}
)


def key_line(text: str, key: str, *, after: int = 1) -> int | None:
    """The first line (from ``after`` on) where ``"key":`` appears in JSON text."""
    pattern = re.compile(r'"' + re.escape(key) + r'"\s*:')
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= after and pattern.search(line):
            return number
    return None


def form_schema_parse(data: bytes | None, *, file: str) -> tuple[dict[str, Any], list[Problem]]:
    if data is None:
        return {}, [Problem(file, None, _("缺少表单定义文件 form.schema.json。"))]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {}, [Problem(file, None, _("文件应为 UTF-8 编码。"))]
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as error:
        message = _("JSON 语法错误：%(error)s") % {"error": error.msg}
        return {}, [Problem(file, error.lineno, message)]
    problems = form_schema_problems(schema, text=text, file=file)
    return (schema if isinstance(schema, dict) else {}), problems


def form_schema_problems(schema: Any, *, text: str, file: str) -> list[Problem]:
    if not isinstance(schema, dict):
        return [Problem(file, 1, _("表单定义的顶层应为 JSON 对象。"))]
    problems: list[Problem] = []
    declared = schema.get("$schema")
    if declared is not None and declared.rstrip("#") != DRAFT_2020_12:
        problems.append(
            Problem(
                file,
                key_line(text, "$schema"),
                _("$schema 应为 %(url)s（JSON Schema 2020-12）。") % {"url": DRAFT_2020_12},
            )
        )
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        where = "/".join(str(p) for p in error.absolute_path) or "/"
        line = None
        for part in reversed(list(error.absolute_path)):
            if isinstance(part, str):
                line = key_line(text, part)
                break
        problems.append(
            Problem(
                file,
                line,
                _("不是有效的 JSON Schema（%(where)s）：%(error)s")
                % {"where": where, "error": error.message},
            )
        )
        return problems
    if schema.get("type") != "object":
        problems.append(Problem(file, key_line(text, "type"), _('顶层 "type" 应为 "object"。')))
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        problems.append(Problem(file, None, _("表单至少需要一个字段（properties）。")))
        return problems
    _check_properties(properties, prefix="", text=text, file=file, problems=problems)
    _check_required(schema, prefix="", text=text, file=file, problems=problems)
    order = schema.get("x-order")
    if order is not None:
        line = key_line(text, "x-order")
        if not isinstance(order, list) or not all(isinstance(n, str) for n in order):
            problems.append(Problem(file, line, _("x-order 应为字段名的列表。")))
        else:
            for name in order:
                if name not in properties:
                    problems.append(
                        Problem(
                            file,
                            line,
                            _("x-order 中的字段 %(name)s 不存在于 properties 中。")
                            % {"name": name},
                        )
                    )
            duplicates = sorted({n for n in order if order.count(n) > 1})
            if duplicates:
                problems.append(
                    Problem(
                        file,
                        line,
                        _("x-order 中有重复的字段：%(names)s。") % {"names": "、".join(duplicates)},
                    )
                )
    return problems


def _check_required(
    schema: dict[str, Any], *, prefix: str, text: str, file: str, problems: list[Problem]
) -> None:
    properties = schema.get("properties") or {}
    for name in schema.get("required") or []:
        if name not in properties:
            problems.append(
                Problem(
                    file,
                    key_line(text, "required"),
                    _("required 中的字段 %(name)s 不存在于 properties 中。")
                    % {"name": prefix + str(name)},
                )
            )


def _check_properties(
    properties: dict[str, Any], *, prefix: str, text: str, file: str, problems: list[Problem]
) -> None:
    for name, spec in properties.items():
        dotted = prefix + name
        line = key_line(text, name)
        if not isinstance(spec, dict):
            continue
        if not isinstance(spec.get("title"), str) or not spec.get("title"):
            problems.append(
                Problem(file, line, _("字段 %(name)s 缺少中文标题 title。") % {"name": dotted})
            )
        if not isinstance(spec.get("x-title-en"), str) or not spec.get("x-title-en"):
            problems.append(
                Problem(file, line, _("字段 %(name)s 缺少英文标题 x-title-en。") % {"name": dotted})
            )
        fmt = spec.get("format")
        if fmt is not None and fmt not in KNOWN_FORMATS:
            problems.append(
                Problem(
                    file,
                    key_line(text, "format", after=line or 1),
                    _("字段 %(name)s 的 format %(format)s 不受支持，可用：%(known)s。")
                    % {"name": dotted, "format": fmt, "known": "、".join(sorted(KNOWN_FORMATS))},
                )
            )
        labels = spec.get("x-enum-labels")
        if labels is not None:
            values = spec.get("enum") or (spec.get("items") or {}).get("enum") or []
            if not isinstance(labels, dict):
                problems.append(
                    Problem(
                        file,
                        line,
                        _("字段 %(name)s 的 x-enum-labels 应为对象。") % {"name": dotted},
                    )
                )
            else:
                for value in values:
                    label = labels.get(str(value))
                    if not isinstance(label, dict) or not label.get("zh"):
                        problems.append(
                            Problem(
                                file,
                                key_line(text, "x-enum-labels", after=line or 1),
                                _("字段 %(name)s 的选项 %(value)s 缺少 x-enum-labels 中文名称。")
                                % {"name": dotted, "value": value},
                            )
                        )
                for key in labels:
                    if key not in {str(v) for v in values}:
                        problems.append(
                            Problem(
                                file,
                                key_line(text, "x-enum-labels", after=line or 1),
                                _("字段 %(name)s 的 x-enum-labels 中的 %(value)s 不在 enum 中。")
                                % {"name": dotted, "value": key},
                            )
                        )
        nested = spec.get("properties")
        if spec.get("type") == "object" and isinstance(nested, dict):
            _check_properties(nested, prefix=dotted + ".", text=text, file=file, problems=problems)
            _check_required(spec, prefix=dotted + ".", text=text, file=file, problems=problems)
        items = spec.get("items")
        if isinstance(items, dict) and isinstance(items.get("properties"), dict):
            _check_properties(
                items["properties"], prefix=dotted + "[].", text=text, file=file, problems=problems
            )
