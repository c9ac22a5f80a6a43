"""Task forms: what the holder of a user task records (a department's finding).

A task form is a JSON Schema object (``properties`` with ``title``/``type``/``enum``,
``required``), from either source, merged per task id:

* the package: ``<task id>.task.json`` next to ``process.bpmn`` (the catalogue passes these to
  :func:`compile_process` as ``task_forms``);
* the BPMN, as Camunda Modeler writes it: ``camunda:formData`` with ``camunda:formField``
  (``id``, ``label``, ``type`` = string/long/boolean/date/enum with ``camunda:value``
  children, ``defaultValue``, ``camunda:validation/camunda:constraint name="required"``).

The values the holder enters become process variables when the task is completed, so a
gateway after the parallel join can test ``income_ok == true``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NS = {"camunda": CAMUNDA_NS}
RESERVED = frozenset({"decision", "comment", "decisions", "comments", "outcome"})
_TYPES = {
    "string": {"type": "string"},
    "long": {"type": "integer"},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
}


def form_from_bpmn(task: Any) -> tuple[dict[str, Any], list[tuple[Any, str]]]:
    """The task form written in ``camunda:formData`` of a user task element, and problems
    as (node, message)."""
    problems: list[tuple[Any, str]] = []
    fields = task.findall(".//camunda:formData/camunda:formField", NS)
    if not fields:
        return {}, problems
    properties: dict[str, Any] = {}
    required: list[str] = []
    for node in fields:
        name = (node.get("id") or "").strip()
        kind = (node.get("type") or "string").strip()
        if not name.isidentifier():
            problems.append(
                (node, _("表单字段的 id“{id}”须是变量名（字母、数字、下划线）").format(id=name))
            )
            continue
        if name in RESERVED:
            problems.append(
                (node, _("表单字段“{id}”与办理结果变量同名，请换一个名字").format(id=name))
            )
            continue
        if kind == "enum":
            values = node.findall("camunda:value", NS)
            schema: dict[str, Any] = {
                "type": "string",
                "enum": [v.get("id") or "" for v in values],
                "enumNames": [v.get("name") or v.get("id") or "" for v in values],
            }
            if not values:
                problems.append(
                    (node, _("枚举字段“{id}”没有可选值（camunda:value）").format(id=name))
                )
        elif kind in _TYPES:
            schema = dict(_TYPES[kind])
        else:
            problems.append(
                (
                    node,
                    _(
                        "表单字段“{id}”的类型“{type}”不支持；可用 string、long、boolean、date、enum"
                    ).format(id=name, type=kind),
                )
            )
            continue
        schema["title"] = node.get("label") or name
        default = node.get("defaultValue")
        if default not in (None, ""):
            schema["default"] = _typed_default(schema, default)
        properties[name] = schema
        for constraint in node.findall(".//camunda:validation/camunda:constraint", NS):
            if constraint.get("name") == "required":
                required.append(name)
    form: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        form["required"] = required
    return form, problems


def _typed_default(schema: dict[str, Any], raw: str) -> Any:
    if schema.get("type") == "boolean":
        return raw.strip().lower() == "true"
    if schema.get("type") == "integer":
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


def form_problems(form: Any) -> list[str]:
    """Structure of a package's task form (``<task id>.task.json``)."""
    if not isinstance(form, dict) or form.get("type", "object") != "object":
        return [_("任务表单应为 JSON Schema 对象（type: object）")]
    properties = form.get("properties")
    if not isinstance(properties, dict) or not properties:
        return [_("任务表单没有字段（properties）")]
    problems = []
    for name, schema in properties.items():
        if not str(name).isidentifier():
            problems.append(_("任务表单字段“{id}”须是变量名").format(id=name))
        elif name in RESERVED:
            problems.append(_("任务表单字段“{id}”与办理结果变量同名，请换一个名字").format(id=name))
        elif not isinstance(schema, dict) or schema.get("type") not in (
            "string",
            "integer",
            "number",
            "boolean",
        ):
            problems.append(
                _("任务表单字段“{id}”的类型须是 string、integer、number 或 boolean").format(id=name)
            )
    for name in form.get("required") or []:
        if name not in properties:
            problems.append(_("任务表单的必填字段“{id}”不在 properties 中").format(id=name))
    return problems


def merge_forms(*forms: dict[str, Any]) -> dict[str, Any]:
    """Package form and BPMN form of one task: the package's fields win where both name one."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for form in forms:
        if not form:
            continue
        properties.update(form.get("properties") or {})
        required += [r for r in form.get("required") or [] if r not in required]
    if not properties:
        return {}
    merged: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        merged["required"] = required
    return merged


def form_fields(form: dict[str, Any] | None) -> set[str]:
    """The process variables a task form sets."""
    return set(((form or {}).get("properties") or {}).keys())
