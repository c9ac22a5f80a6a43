"""Clear Chinese (or English, per the active language) messages for JSON Schema errors.

``describe(error, label)`` turns one ``jsonschema.ValidationError`` into a sentence that
names the field by its title; it is used for form data (``form_validate``) and for the
package format itself (``service_validate``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from jsonschema import ValidationError

Label = Callable[[Sequence[str | int]], str]

_TYPE_NAMES = {
    "string": gettext_noop("文本"),
    "integer": gettext_noop("整数"),
    "number": gettext_noop("数字"),
    "boolean": gettext_noop("是或否"),
    "array": gettext_noop("列表"),
    "object": gettext_noop("一组信息"),
    "null": gettext_noop("空值"),
}


def type_name(name: Any) -> str:
    if isinstance(name, list):
        return _("或").join(type_name(n) for n in name)
    return _(_TYPE_NAMES.get(str(name), str(name)))


def _formats() -> dict[str, str]:
    return {
        "date": _("应为有效的日期，例如 2026-01-31"),
        "date-time": _("应为有效的日期和时间"),
        "time": _("应为有效的时间"),
        "email": _("应为有效的电子邮箱地址"),
        "uri": _("应为有效的网址"),
        "citizen-id": _("应为有效的18位居民身份证号码"),
        "uscc": _("应为有效的18位统一社会信用代码"),
        "phone": _("应为以1开头的11位手机号码"),
        "person-name": _("只能填写姓名，不能含有数字、“<”“>”等符号或控制字符"),
    }


def _enum_text(error: ValidationError, labels: Callable[[Any], str] | None) -> str:
    values = error.validator_value if isinstance(error.validator_value, list) else []
    shown = [labels(v) if labels else str(v) for v in values]
    return _("、").join(shown)


def error_path(error: ValidationError) -> tuple[str | int, ...]:
    """The path of the field the error is about (for ``required`` and
    ``additionalProperties``, the missing or unexpected property itself)."""
    path = tuple(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = _missing(error)
        if missing:
            return (*path, missing)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        extra = _extras(error)
        if extra:
            return (*path, extra[0])
    return path


def _missing(error: ValidationError) -> str | None:
    for name in error.validator_value or []:
        if isinstance(error.instance, dict) and name not in error.instance:
            return str(name)
    return None


def _extras(error: ValidationError) -> list[str]:
    allowed = set((error.schema or {}).get("properties", {}))
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [str(key) for key in instance if key not in allowed]


def _is_choice(spec: Any) -> bool:
    """A question answered by choosing (radio buttons, a select, check boxes)."""
    if not isinstance(spec, dict):
        return False
    if spec.get("type") == "array":
        return _is_choice(spec.get("items"))
    options = spec.get("oneOf") or spec.get("anyOf")
    consts = isinstance(options, list) and bool(options)
    consts = consts and all(isinstance(o, dict) and "const" in o for o in options or [])
    return bool(spec.get("enum")) or consts


def _required(error: ValidationError, name: Any, field: str) -> str:
    """``请选择…`` for a question answered by choosing, ``请填写…`` for one typed in."""
    spec = ((error.schema or {}).get("properties") or {}).get(name) if name else None
    if _is_choice(spec):
        return _("请选择%(field)s。") % {"field": field}
    return _("请填写%(field)s。") % {"field": field}


def _pattern_hint(spec: Any) -> str:
    if not isinstance(spec, dict):
        return ""
    english = (get_language() or "").startswith("en")
    hint = (spec.get("x-pattern-hint-en") if english else None) or spec.get("x-pattern-hint")
    return str(hint or "")


def describe(
    error: ValidationError,
    label: Label,
    *,
    enum_label: Callable[[Sequence[str | int], Any], str] | None = None,
) -> str:
    """One sentence for one error. ``label(path)`` names a field; ``enum_label(path, value)``
    names an enum value."""
    kind = error.validator
    path = error_path(error)
    field = label(path)
    value = error.validator_value
    if kind == "required":
        return _required(error, _missing(error), field)
    if kind == "type":
        return _("%(field)s应为%(type)s。") % {"field": field, "type": type_name(value)}
    if kind == "minLength":
        if value == 1 or error.instance == "":
            return _("请填写%(field)s。") % {"field": field}
        return _("%(field)s至少需要%(n)s个字符。") % {"field": field, "n": value}
    if kind == "maxLength":
        return _("%(field)s不能超过%(n)s个字符。") % {"field": field, "n": value}
    if kind == "pattern":
        hint = _pattern_hint(error.schema)
        if hint:
            return _("%(field)s的格式不正确：%(hint)s。") % {"field": field, "hint": hint}
        return _("%(field)s的格式不正确。") % {"field": field}
    if kind in {"enum", "const"}:
        if kind == "const":
            return _("%(field)s只能是%(value)s。") % {"field": field, "value": value}
        names = _enum_text(error, (lambda v: enum_label(path, v)) if enum_label else None)
        return _("%(field)s只能是以下之一：%(choices)s。") % {"field": field, "choices": names}
    if kind == "format":
        cause = getattr(error, "cause", None)
        cause_message = getattr(cause, "message", None)
        if cause_message:
            text = str(cause_message)
            if text.startswith(field):
                return text
            return _("%(field)s：%(problem)s") % {"field": field, "problem": text}
        wanted = _formats().get(str(value), _("格式不正确"))
        return _("%(field)s%(problem)s。") % {"field": field, "problem": wanted}
    if kind == "minimum":
        return _("%(field)s不能小于%(n)s。") % {"field": field, "n": value}
    if kind == "maximum":
        return _("%(field)s不能大于%(n)s。") % {"field": field, "n": value}
    if kind == "exclusiveMinimum":
        return _("%(field)s应大于%(n)s。") % {"field": field, "n": value}
    if kind == "exclusiveMaximum":
        return _("%(field)s应小于%(n)s。") % {"field": field, "n": value}
    if kind == "additionalProperties":
        return _("不允许填写未定义的项目：%(names)s。") % {"names": _("、").join(_extras(error))}
    if kind == "minItems":
        return _("%(field)s至少需要%(n)s项。") % {"field": field, "n": value}
    if kind == "maxItems":
        return _("%(field)s最多%(n)s项。") % {"field": field, "n": value}
    if kind == "uniqueItems":
        return _("%(field)s中有重复的项目。") % {"field": field}
    if kind == "multipleOf":
        return _("%(field)s应为%(n)s的整数倍。") % {"field": field, "n": value}
    return _("%(field)s填写不正确。") % {"field": field}


def error_code(error: ValidationError) -> str:
    """A stable machine code: ``required``, ``type``, ``max_length``, ``format_citizen_id``…"""
    kind = str(error.validator)
    if kind == "format":
        return f"format_{error.validator_value}".replace("-", "_")
    if kind == "minLength" and error.instance == "":
        return "required"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind).lower()


def explain(
    error: ValidationError,
    label: Label,
    *,
    enum_label: Callable[[Sequence[str | int], Any], str] | None = None,
) -> list[tuple[tuple[str | int, ...], str, str]]:
    """``(path, code, message)`` for each field the error is about: a ``required`` error
    that lists several missing properties becomes one entry per property."""
    if error.validator == "required" and isinstance(error.instance, dict):
        base = tuple(error.absolute_path)
        return [
            ((*base, str(name)), "required", _required(error, name, label((*base, name))))
            for name in error.validator_value or []
            if name not in error.instance
        ]
    return [(error_path(error), error_code(error), describe(error, label, enum_label=enum_label))]
