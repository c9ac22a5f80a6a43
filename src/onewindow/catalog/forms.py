"""Form data against a service's JSON Schema: server-side validation with field-level
messages in the request's language, and helpers to render and read the form in HTML.

Conventions of ``form.schema.json``: ``title`` (zh) and ``x-title-en`` on every property,
``x-order`` for the UI order, ``x-enum-labels: {value: {zh, en}}``, ``x-hint`` / ``x-hint-en``
for help text, ``x-widget: textarea|radio``; formats ``date``, ``email``, ``citizen-id``,
``uscc``, ``phone``, ``person-name`` (see ``catalog.persons``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from jsonschema import Draft202012Validator, FormatChecker

from onewindow.catalog.jsonmessages import explain
from onewindow.catalog.persons import PERSON_NAME_FORMAT, person_name_fields, person_name_problem
from onewindow.core.errors import FieldError, ValidationFailed
from onewindow.core.identifiers import normalize_citizen_id, normalize_phone, normalize_uscc
from onewindow.core.numbers import parse_decimal, parse_int


def _english() -> bool:
    return (get_language() or "").startswith("en")


def format_checker() -> FormatChecker:
    checker = FormatChecker()

    @checker.checks("citizen-id", raises=ValidationFailed)
    def _citizen_id(value: object) -> bool:
        if isinstance(value, str):
            normalize_citizen_id(value)
        return True

    @checker.checks("uscc", raises=ValidationFailed)
    def _uscc(value: object) -> bool:
        if isinstance(value, str):
            normalize_uscc(value)
        return True

    @checker.checks("phone", raises=ValidationFailed)
    def _phone(value: object) -> bool:
        if isinstance(value, str):
            normalize_phone(value)
        return True

    @checker.checks(PERSON_NAME_FORMAT, raises=ValidationFailed)
    def _person_name(value: object) -> bool:
        problem = person_name_problem(value)
        if problem:
            raise ValidationFailed(problem, code="person_name")
        return True

    return checker


def property_at(schema: Mapping[str, Any], path: Sequence[str | int]) -> Mapping[str, Any]:
    node: Mapping[str, Any] = schema
    for part in path:
        if isinstance(part, int):
            node = node.get("items") or {}
        else:
            node = (node.get("properties") or {}).get(part) or {}
    return node


def title_of(spec: Mapping[str, Any], fallback: str = "") -> str:
    if _english() and spec.get("x-title-en"):
        return str(spec["x-title-en"])
    return str(spec.get("title") or spec.get("x-title-en") or fallback)


def enum_label(spec: Mapping[str, Any], value: Any) -> str:
    labels = spec.get("x-enum-labels") or (spec.get("items") or {}).get("x-enum-labels") or {}
    label = labels.get(str(value))
    if isinstance(label, dict):
        return str((label.get("en") if _english() else None) or label.get("zh") or value)
    return str(value)


def dotted(path: Sequence[str | int]) -> str:
    return ".".join(str(part) for part in path)


def form_validate(
    *, schema: Mapping[str, Any], data: Any, definition: Mapping[str, Any] | None = None
) -> list[FieldError]:
    """Every problem of ``data`` against ``schema``: one ``FieldError`` per field, in form
    order, its message in the active language naming the field by its title. With the
    service's ``definition``, the names of the persons it declares (``parties:``) and the
    applicant's name are held to the person-name rule too, as ``format: person-name`` is."""
    validator = Draft202012Validator(schema, format_checker=format_checker())

    def label(path: Sequence[str | int]) -> str:
        parts = [p for p in path if isinstance(p, str)]
        return title_of(property_at(schema, path), parts[-1] if parts else "")

    def enum_name(path: Sequence[str | int], value: Any) -> str:
        return enum_label(property_at(schema, path), value)

    found: dict[str, FieldError] = {}
    for error in validator.iter_errors(data):
        for path, code, message in explain(error, label, enum_label=enum_name):
            key = dotted(path)
            if key not in found:
                found[key] = FieldError(code=code, message=message, field=key or None)
    if isinstance(data, Mapping):
        for name in person_name_fields(schema, definition):
            problem = "" if name in found else person_name_problem(data.get(name))
            if problem:
                message = _name_message(title_of(property_at(schema, [name]), name), problem)
                found[name] = FieldError(code="format_person_name", message=message, field=name)
    order = {name: index for index, name in enumerate(field_order(schema))}
    return sorted(
        found.values(),
        key=lambda e: (order.get((e.field or "").split(".")[0], len(order)), e.field or ""),
    )


def form_normalize(schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as the form stores them: text of a question with ``"x-case": "upper"``
    in capitals (a permit number typed ``c12345678`` is ``C12345678``), nested groups too."""
    out: dict[str, Any] = dict(data)
    for name, spec in (schema.get("properties") or {}).items():
        value = out.get(name)
        if not isinstance(spec, Mapping):
            continue
        if spec.get("type") == "object" and isinstance(value, Mapping):
            out[name] = form_normalize(spec, value)
        elif spec.get("x-case") == "upper" and isinstance(value, str):
            out[name] = value.upper()
    return out


def _name_message(field: str, problem: str) -> str:
    from django.utils.translation import gettext as _

    return _("%(field)s：%(problem)s") % {"field": field, "problem": problem}


def field_order(schema: Mapping[str, Any]) -> list[str]:
    properties = list((schema.get("properties") or {}).keys())
    ordered = [name for name in schema.get("x-order") or [] if name in properties]
    return ordered + [name for name in properties if name not in ordered]


# --- HTML rendering -----------------------------------------------------------------------


@dataclass
class FormField:
    name: str
    label: str
    widget: str  # text, textarea, select, radio, checkbox, checkboxes, number, date, email, tel
    required: bool
    hint: str = ""
    value: Any = None
    error: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"field-{self.name}"

    @property
    def selected(self) -> set[str]:
        if isinstance(self.value, list):
            return {str(v) for v in self.value}
        return {str(self.value)} if self.value not in (None, "") else set()


def _widget(spec: Mapping[str, Any]) -> str:
    kind = spec.get("type")
    if kind == "array" and (spec.get("items") or {}).get("enum"):
        return "checkboxes"
    if "enum" in spec:
        return "radio" if spec.get("x-widget") == "radio" or len(spec["enum"]) <= 3 else "select"
    if kind == "boolean":
        return "checkbox"
    if kind in {"integer", "number"}:
        return "number"
    fmt = spec.get("format")
    if fmt == "date":
        return "date"
    if fmt == "email":
        return "email"
    if fmt == "phone":
        return "tel"
    if spec.get("x-widget") == "textarea" or (spec.get("maxLength") or 0) > 200:
        return "textarea"
    return "text"


def _attrs(spec: Mapping[str, Any], widget: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    if spec.get("maxLength"):
        attrs["maxlength"] = str(spec["maxLength"])
    if widget == "number":
        attrs["inputmode"] = "numeric" if spec.get("type") == "integer" else "decimal"
        if spec.get("type") == "integer":
            attrs["step"] = "1"
        for key in ("minimum", "maximum"):
            if key in spec:
                attrs[key[:3]] = str(spec[key])
    fmt = spec.get("format")
    if fmt == "citizen-id" or fmt == "uscc":
        attrs.update({"autocomplete": "off", "spellcheck": "false", "maxlength": "18"})
    elif fmt == "phone":
        attrs.update({"autocomplete": "tel-national", "inputmode": "numeric", "maxlength": "11"})
    elif fmt == "email":
        attrs["autocomplete"] = "email"
    return attrs


def form_fields(
    schema: Mapping[str, Any],
    *,
    data: Mapping[str, Any] | None = None,
    errors: Sequence[FieldError] = (),
) -> list[FormField]:
    """The top-level fields of the form in ``x-order``, ready for
    ``catalog/partials/form_fields.html``."""
    data = data or {}
    required = set(schema.get("required") or [])
    by_field: dict[str, str] = {}
    for error in errors:
        top = (error.field or "").split(".")[0]
        by_field.setdefault(top, str(error.message))
    fields: list[FormField] = []
    for name in field_order(schema):
        spec = (schema.get("properties") or {})[name]
        widget = _widget(spec)
        values = spec.get("enum") or (spec.get("items") or {}).get("enum") or []
        hint = spec.get("x-hint-en") if _english() and spec.get("x-hint-en") else spec.get("x-hint")
        fields.append(
            FormField(
                name=name,
                label=title_of(spec, name),
                widget=widget,
                required=name in required,
                hint=str(hint or spec.get("description") or ""),
                value=data.get(name, spec.get("default")),
                error=by_field.get(name, ""),
                choices=[(str(v), enum_label(spec, v)) for v in values],
                attrs=_attrs(spec, widget),
            )
        )
    return fields


def form_coerce(schema: Mapping[str, Any], raw: Any) -> dict[str, Any]:
    """Read posted form fields (a QueryDict or a dict of strings) into JSON values of the
    schema's types. Empty inputs are left out so ``required`` reports them; values that do
    not convert are kept as text so ``type`` reports them."""
    result: dict[str, Any] = {}
    for name, spec in (schema.get("properties") or {}).items():
        kind = spec.get("type")
        if kind == "array":
            values = raw.getlist(name) if hasattr(raw, "getlist") else raw.get(name) or []
            values = [v for v in values if str(v).strip() != ""]
            if values:
                item_type = (spec.get("items") or {}).get("type")
                result[name] = [_convert(v, item_type) for v in values]
            continue
        value = raw.get(name)
        if kind == "boolean":
            result[name] = str(value).lower() in {"on", "true", "1", "yes"}
            continue
        if value is None or str(value).strip() == "":
            continue
        result[name] = _convert(str(value).strip(), kind)
    return result


def _convert(value: Any, kind: Any) -> Any:
    text = str(value).strip()
    if kind == "integer":  # ASCII digits: int() and Decimal() read any script's digits
        try:
            return parse_int(text, signed=True)
        except ValueError:
            return text
    if kind == "number":
        try:
            number = parse_decimal(text)
        except ValueError:
            return text
        return int(number) if number == number.to_integral_value() else float(number)
    return text
