"""Application forms rendered from the service's JSON Schema (x-order, titles, enums with
labels, formats) and parsed back into JSON data. Validation itself is the catalog's
``form_validate``; this module only turns a POST into data and errors into fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import get_language

from onewindow.core.errors import FieldError
from onewindow.core.masking import mask_citizen_id, mask_phone
from onewindow.core.numbers import parse_decimal, parse_int

INPUT_TYPES = {"date": "date", "email": "email", "phone": "tel"}
INPUT_MODES = {"phone": "tel", "citizen-id": "text", "uscc": "text"}


@dataclass
class Choice:
    value: str
    label: str
    checked: bool = False


@dataclass
class FormField:
    name: str  # dotted path
    html_id: str
    label: str
    widget: str  # text | textarea | number | checkbox | select | radio | checkboxes | date
    input_type: str = "text"
    required: bool = False
    value: Any = None
    choices: list[Choice] = field(default_factory=list)
    help: str = ""
    errors: list[str] = field(default_factory=list)
    max_length: int | None = None
    autocomplete: str = ""
    fmt: str = ""
    children: list[FormField] = field(default_factory=list)
    # Why the resident cannot change this answer ('' = they can): the applicant's own
    # questions come from the real-name record (``cases.party_views.lock_fields``).
    locked: str = ""
    masked: bool = False  # a personal answer shown masked (masked_answers); may be revealed
    upper: bool = False  # ``"x-case": "upper"``: stored in capitals; phones offer capitals

    @property
    def display_value(self) -> str:
        if self.widget == "checkbox":
            return "是" if self.value else "否"
        if self.choices:
            labels = {c.value: c.label for c in self.choices}
            if isinstance(self.value, list):
                return "、".join(labels.get(str(v), str(v)) for v in self.value)
            return labels.get(str(self.value), "" if self.value is None else str(self.value))
        return "" if self.value is None else str(self.value)

    def selected(self, value: str) -> bool:
        if isinstance(self.value, list):
            return value in [str(v) for v in self.value]
        return self.value is not None and str(self.value) == value


def _english() -> bool:
    return (get_language() or "").startswith("en")


def question_title(prop: dict[str, Any], name: str) -> str:
    if _english() and prop.get("x-title-en"):
        return str(prop["x-title-en"])
    return str(prop.get("title") or name)


def question_label(schema: dict[str, Any] | None, name: str) -> str:
    """The title of the form's question ``name`` in the reader's language (its name if the
    form has no such question)."""
    return question_title(((schema or {}).get("properties") or {}).get(name) or {}, name)


def _label(labels: dict[str, Any], value: Any) -> str:
    entry = labels.get(str(value))
    if isinstance(entry, dict):
        return str((entry.get("en") if _english() else None) or entry.get("zh") or value)
    return str(entry or value)


def _ordered(schema: dict[str, Any]) -> list[str]:
    props = list((schema.get("properties") or {}).keys())
    order = [p for p in schema.get("x-order") or [] if p in props]
    return order + [p for p in props if p not in order]


def _options(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """``oneOf`` (or ``anyOf``) written as a list of ``{const, title}``: a choice question."""
    options = spec.get("oneOf") or spec.get("anyOf")
    if (
        isinstance(options, list)
        and options
        and all(isinstance(o, dict) and "const" in o for o in options)
    ):
        return options
    return []


def _is_choice(spec: Any) -> bool:
    return isinstance(spec, dict) and bool(spec.get("enum") or _options(spec))


def _choices(spec: dict[str, Any], outer: dict[str, Any] | None = None) -> list[Choice]:
    """The choices of a question with their labels in the reader's language: ``enum`` with
    ``x-enum-labels`` (on the question, or for a multi-select on the array or its ``items``)
    or ``enumNames`` (what Camunda task forms give), or ``oneOf`` of ``{const, title}``.
    ``outer`` is the array question whose ``items`` ``spec`` is."""
    outer = outer or {}
    options = _options(spec)
    if options and not spec.get("enum"):
        return [
            Choice(
                value=str(o["const"]),
                label=str(
                    (o.get("x-title-en") if _english() else None) or o.get("title") or o["const"]
                ),
            )
            for o in options
        ]
    labels = {**(outer.get("x-enum-labels") or {}), **(spec.get("x-enum-labels") or {})}
    names = spec.get("enumNames") or outer.get("enumNames") or []
    choices = []
    for index, value in enumerate(spec.get("enum") or []):
        if str(value) not in labels and index < len(names) and names[index]:
            label = str(names[index])
        else:
            label = _label(labels, value)
        choices.append(Choice(value=str(value), label=label))
    return choices


def build_fields(
    schema: dict[str, Any], data: dict[str, Any] | None = None, prefix: str = ""
) -> list[FormField]:
    data = data or {}
    required = set(schema.get("required") or [])
    out = []
    for name in _ordered(schema):
        prop = (schema.get("properties") or {})[name]
        path = f"{prefix}{name}"
        kind = prop.get("type")
        fmt = str(prop.get("format") or "") or (personal_format(prop) if kind == "array" else "")
        f = FormField(
            name=path,
            html_id="f-" + path.replace(".", "-"),
            label=question_title(prop, name),
            widget="text",
            required=name in required,
            value=data.get(name),
            help=str(
                (prop.get("x-description-en") if _english() else None)
                or prop.get("description")
                or (prop.get("x-hint-en") if _english() else None)
                or prop.get("x-hint")
                or ""
            ),
            max_length=prop.get("maxLength"),
            fmt=fmt,
            upper=prop.get("x-case") == "upper",
        )
        if kind == "object":
            f.widget = "group"
            f.children = build_fields(prop, data.get(name) or {}, prefix=f"{path}.")
        elif kind == "array" and _is_choice(prop.get("items")):
            f.widget = "checkboxes"
            f.choices = _choices(prop["items"], outer=prop)
            f.value = data.get(name) or []
        elif _is_choice(prop):
            f.choices = _choices(prop)
            f.widget = "radio" if len(f.choices) <= 4 else "select"
        elif kind == "boolean":
            f.widget = "checkbox"
        elif kind in {"integer", "number"}:
            f.widget = "number"
            f.input_type = "text"
        elif fmt == "date":
            f.widget = "date"
            f.input_type = "date"
        else:
            f.input_type = INPUT_TYPES.get(fmt, "text")
            if (f.max_length or 0) > 200:
                f.widget = "textarea"
        f.autocomplete = {"phone": "tel", "email": "email"}.get(fmt, "off")
        for choice in f.choices:
            choice.checked = f.selected(choice.value)
        out.append(f)
    return out


def _coerce(prop: dict[str, Any], raw: str) -> Any:
    kind = prop.get("type")
    if kind == "integer":  # ASCII digits: int() and Decimal() read any script's digits
        try:
            return parse_int(raw.strip(), signed=True)
        except ValueError:
            return raw
    if kind == "number":
        try:
            number = parse_decimal(raw.strip())
        except ValueError:
            return raw
        return int(number) if number == number.to_integral_value() else float(number)
    return raw


def parse_post(schema: dict[str, Any], post: QueryDict, prefix: str = "") -> dict[str, Any]:
    """The POST of a rendered form → JSON data. Empty fields are left out, so that a
    required field reads as missing."""
    data: dict[str, Any] = {}
    for name in _ordered(schema):
        prop = (schema.get("properties") or {})[name]
        path = f"{prefix}{name}"
        kind = prop.get("type")
        if kind == "object":
            child = parse_post(prop, post, prefix=f"{path}.")
            if child:
                data[name] = child
        elif kind == "array":
            values = [v for v in post.getlist(path) if v != ""]
            if values:
                data[name] = [_coerce(prop.get("items") or {}, v) for v in values]
        elif kind == "boolean":
            data[name] = post.get(path) in {"on", "true", "1"}
        else:
            raw = (post.get(path) or "").strip()
            if raw != "":
                data[name] = _coerce(prop, raw)
    return data


def attach_errors(fields: list[FormField], errors: list[FieldError]) -> list[str]:
    """Put each error next to its field; return those that belong to no field."""
    index: dict[str, FormField] = {}

    def walk(items: list[FormField]) -> None:
        for item in items:
            index[item.name] = item
            walk(item.children)

    walk(fields)
    loose = []
    for error in errors:
        name = (error.field or "").lstrip("/").replace("/", ".")
        target = index.get(name)
        while target is None and "." in name:
            name = name.rsplit(".", 1)[0]
            target = index.get(name)
        if target is not None:
            target.errors.append(str(error.message))
        else:
            loose.append(str(error.message))
    return loose


def flat_answers(fields: list[FormField]) -> list[FormField]:
    out = []
    for item in fields:
        if item.widget == "group":
            out.extend(flat_answers(item.children))
        else:
            out.append(item)
    return out


def mask_email(value: str | None) -> str:
    """``a***@example.cn``: the first character of the mailbox and the whole domain."""
    if not value:
        return ""
    local, at, domain = value.partition("@")
    if not at:
        return "*" * len(value)
    return (local[:1] + "***" if local else "") + "@" + domain


# The formats of the package's form schema that hold personal data: masked wherever an
# application's answers are shown after submission; a staff member with
# ``identity.view_pii`` may reveal one with a stated purpose (audited). A USCC is public.
PII_FORMATS = {"citizen-id": mask_citizen_id, "phone": mask_phone, "email": mask_email}


def mask_value(fmt: str, value: Any) -> Any:
    """``value`` masked if ``fmt`` is a personal format (each item of a list)."""
    masker = PII_FORMATS.get(fmt)
    if masker is None or value in (None, ""):
        return value
    if isinstance(value, list):
        return [masker(str(v)) if v not in (None, "") else v for v in value]
    return masker(str(value))


def personal_format(prop: dict[str, Any]) -> str:
    """The personal format of a question (or of the items of a list question), or ``""``."""
    items = prop.get("items") if prop.get("type") == "array" else None
    fmt = str(prop.get("format") or (items or {}).get("format") or "")
    return fmt if fmt in PII_FORMATS else ""


def masked_answers(fields: list[FormField]) -> list[FormField]:
    """The answers with citizen ID numbers, phone numbers and email addresses masked (the
    format the schema gives them), for pages that show a submitted application: the full
    values are in the case for whoever may see them, not on the screen. A masked answer is
    marked ``masked`` (it may be revealed)."""
    answers = flat_answers(fields)
    for item in answers:
        if item.fmt in PII_FORMATS and item.value not in (None, "", []):
            item.value = mask_value(item.fmt, item.value)
            item.masked = True
    return answers


def masked_form_data(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The form data with the personal answers masked (nested groups too), for API output."""
    props = schema.get("properties") or {}
    out: dict[str, Any] = {}
    for name, value in data.items():
        prop = props.get(name)
        if not isinstance(prop, dict):
            out[name] = value
        elif prop.get("type") == "object" and isinstance(value, dict):
            out[name] = masked_form_data(prop, value)
        else:
            out[name] = mask_value(personal_format(prop), value)
    return out
