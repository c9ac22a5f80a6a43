"""Form messages a resident can act on: a question answered by choosing says 请选择 (not
请填写), a number with a fixed pattern says what it looks like, and a question marked
``"x-case": "upper"`` takes lowercase letters (stored in capitals)."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from onewindow.catalog.forms import form_normalize, form_validate

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["permit_number", "destination", "purposes", "agreed"],
    "properties": {
        "permit_number": {
            "type": "string",
            "title": "通行证号码",
            "x-title-en": "Permit number",
            "pattern": "^[A-Z][0-9]{8}$",
            "x-case": "upper",
            "x-pattern-hint": "应为1个字母加8位数字，例如 C12345678",
        },
        "destination": {
            "type": "string",
            "title": "前往地",
            "x-title-en": "Destination",
            "enum": ["hk", "macau"],
        },
        "purposes": {
            "type": "array",
            "title": "事由",
            "x-title-en": "Purposes",
            "items": {"type": "string", "enum": ["visit", "business"]},
        },
        "agreed": {
            "type": "string",
            "title": "办理方式",
            "x-title-en": "How",
            "oneOf": [{"const": "mail", "title": "邮寄"}, {"const": "counter", "title": "窗口"}],
        },
        "travel": {
            "type": "object",
            "title": "行程",
            "x-title-en": "Trip",
            "required": ["return_permit"],
            "properties": {
                "return_permit": {
                    "type": "string",
                    "title": "回程证件号码",
                    "x-title-en": "Return permit",
                    "x-case": "upper",
                }
            },
        },
    },
}


def _messages(data: dict[str, Any]) -> dict[str | None, str]:
    with translation.override("zh-hans"):
        return {e.field: str(e.message) for e in form_validate(schema=SCHEMA, data=data)}


def test_a_choice_left_unanswered_says_choose():
    found = _messages({"permit_number": "C12345678"})
    assert found == {
        "destination": "请选择前往地。",
        "purposes": "请选择事由。",
        "agreed": "请选择办理方式。",
    }
    nested = _messages(
        {"permit_number": "C12345678", "destination": "hk", "purposes": ["visit"]}
        | {"agreed": "mail", "travel": {}}
    )
    assert nested == {"travel.return_permit": "请填写回程证件号码。"}  # typed in, not chosen


def test_a_pattern_error_says_what_the_number_looks_like():
    found = _messages({"permit_number": "12345", "destination": "hk"})
    assert found["permit_number"] == (
        "通行证号码的格式不正确：应为1个字母加8位数字，例如 C12345678。"
    )


def test_lowercase_is_stored_in_capitals_and_then_valid():
    data = form_normalize(
        SCHEMA,
        {"permit_number": "c12345678", "destination": "hk", "travel": {"return_permit": "h1"}},
    )
    assert data["permit_number"] == "C12345678"
    assert data["travel"] == {"return_permit": "H1"}
    assert data["destination"] == "hk"  # only the questions marked x-case
    assert "permit_number" not in _messages(data)
