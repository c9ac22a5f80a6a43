"""Task forms (a department's finding): what the holder of a user task records, checked
against the task's form from the pinned version's compiled process, stored on the task row
and set as process variables when the task is completed."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from onewindow.cases.models import Case, CaseTask
from onewindow.core.errors import FieldError, ValidationFailed

TEXT_MAX = 500
TRUE_WORDS = {"true", "1", "yes", "on", "是"}
FALSE_WORDS = {"false", "0", "no", "off", "否"}


def task_form(case: Case, element_id: str) -> dict[str, Any]:
    """The task form (JSON Schema) of one user task of the case's process, or {}."""
    tasks = (case.service_version.process_spec or {}).get("user_tasks") or {}
    return dict((tasks.get(element_id) or {}).get("form") or {})


def findings_clean(
    form: Mapping[str, Any], values: Mapping[str, Any], *, decision: str
) -> dict[str, Any]:
    """Typed finding values from a page's strings or an API's JSON. Required fields are
    required to approve (a rejection or a supplement request states its reason instead).
    Unknown fields are refused. Raises ValidationFailed with one error per field
    (``findings.<field>``)."""
    properties: Mapping[str, Any] = form.get("properties") or {}
    required = set(form.get("required") or [])
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    for name in values:
        if name not in properties:
            errors.append(
                FieldError(
                    "unknown_field",
                    _("此任务没有“%(name)s”这一项。") % {"name": name},
                    f"findings.{name}",
                )
            )
    for name, schema in properties.items():
        raw = values.get(name)
        title = str(schema.get("title") or name)
        if raw is None or raw == "":
            if name in required and decision == "approve":
                errors.append(
                    FieldError("required", _("请填写“%(t)s”。") % {"t": title}, f"findings.{name}")
                )
            continue
        try:
            cleaned[name] = _typed(schema, raw)
        except ValueError as exc:
            errors.append(FieldError("invalid", str(exc) % {"t": title}, f"findings.{name}"))
    if errors:
        raise ValidationFailed(_("核查结论填写有误，请修改。"), errors=errors)
    return cleaned


def _typed(schema: Mapping[str, Any], raw: Any) -> Any:
    kind = schema.get("type")
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(_("“%(t)s”请选择是或否。"))
    if kind in ("integer", "number"):
        if isinstance(raw, bool):
            raise ValueError(_("“%(t)s”应为数字。"))
        try:
            number = float(str(raw).strip()) if kind == "number" else int(str(raw).strip())
        except ValueError:
            raise ValueError(_("“%(t)s”应为数字。")) from None
        for bound, ok in (
            (schema.get("minimum"), lambda b: number >= b),
            (schema.get("maximum"), lambda b: number <= b),
        ):
            if bound is not None and not ok(bound):
                raise ValueError(_("“%(t)s”超出允许范围。"))
        return number
    text = str(raw).strip()
    if len(text) > int(schema.get("maxLength") or TEXT_MAX):
        raise ValueError(_("“%(t)s”过长。"))
    enum = schema.get("enum")
    if enum is not None and text not in enum:
        raise ValueError(_("“%(t)s”请从选项中选择。"))
    if schema.get("format") == "date":
        try:
            datetime.date.fromisoformat(text)
        except ValueError:
            raise ValueError(_("“%(t)s”应为日期（如 2026-03-01）。")) from None
    return text


@dataclass(frozen=True)
class FindingLine:
    label: str
    value: str


@dataclass(frozen=True)
class Finding:
    """What one department recorded at one step (shown to the other departments)."""

    task: CaseTask
    lines: list[FindingLine]
    fields: list[str]  # the field each line shows


def finding_lines(form: Mapping[str, Any], values: Mapping[str, Any]) -> list[FindingLine]:
    properties: Mapping[str, Any] = form.get("properties") or {}
    lines = []
    for name, schema in properties.items():
        if name not in values:
            continue
        lines.append(FindingLine(str(schema.get("title") or name), display(schema, values[name])))
    return lines


def display(schema: Mapping[str, Any], value: Any) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    enum, names = schema.get("enum"), schema.get("enumNames")
    if enum and names and value in enum:
        return str(names[enum.index(value)])
    return str(value)


def case_findings(case: Case) -> list[Finding]:
    """Every completed step's recorded findings, in the order they were recorded."""
    rows = (
        case.tasks.filter(status=CaseTask.Status.COMPLETED)
        .exclude(findings={})
        .select_related("department", "completed_by")
        .order_by("completed_at", "pk")
    )
    findings = []
    for row in rows:
        form = task_form(case, row.element_id)
        shown = [name for name in (form.get("properties") or {}) if name in row.findings]
        findings.append(Finding(task=row, lines=finding_lines(form, row.findings), fields=shown))
    return findings


def form_fields_for_page(
    form: Mapping[str, Any], values: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The task form as the staff page draws it: one entry per field with its widget."""
    fields = []
    required = set(form.get("required") or [])
    for name, schema in (form.get("properties") or {}).items():
        kind = schema.get("type")
        widget = "text"
        choices: list[tuple[str, str]] = []
        if kind == "boolean":
            widget, choices = "radio", [("true", _("是")), ("false", _("否"))]
        elif schema.get("enum"):
            names = schema.get("enumNames") or schema["enum"]
            widget, choices = (
                "select",
                [(str(v), str(n)) for v, n in zip(schema["enum"], names, strict=False)],
            )
        elif kind in ("integer", "number"):
            widget = "number"
        elif schema.get("format") == "date":
            widget = "date"
        value = values.get(name, schema.get("default", ""))
        if isinstance(value, bool):
            value = "true" if value else "false"
        fields.append(
            {
                "name": name,
                "title": schema.get("title") or name,
                "widget": widget,
                "choices": choices,
                "required": name in required,
                "value": "" if value is None else str(value),
            }
        )
    return fields
