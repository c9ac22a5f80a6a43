"""form_validate: one clear message per field, naming the field, in the request's language."""

from __future__ import annotations

from django.utils import translation

from onewindow.catalog.forms import form_coerce, form_fields, form_validate
from onewindow.core.identifiers import citizen_id_make
from onewindow.testing.packages import FORM

GOOD_ID = citizen_id_make("440106", __import__("datetime").date(1990, 3, 7), 123)


def good() -> dict[str, object]:
    return {
        "applicant_name": "李雷",
        "id_number": GOOD_ID,
        "phone": "13800138000",
        "endorsement": "hk",
    }


def messages(data: object, lang: str = "zh-hans") -> dict[str | None, str]:
    with translation.override(lang):
        return {e.field: str(e.message) for e in form_validate(schema=FORM, data=data)}


def test_valid_data_has_no_errors():
    assert form_validate(schema=FORM, data=good()) == []


def test_every_missing_required_field_is_named():
    assert messages({}) == {
        "applicant_name": "请填写申请人姓名。",
        "id_number": "请填写身份证号码。",
        "endorsement": "请选择签注种类。",  # a choice is chosen, not typed
    }


def test_messages_per_validator_kind_in_chinese():
    data = {
        **good(),
        "applicant_name": "",
        "id_number": GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1"),
        "phone": "12345",
        "endorsement": "tw",
        "trips": 5,
        "extra": "x",
    }
    found = messages(data)
    assert found["applicant_name"] == "请填写申请人姓名。"
    assert found["id_number"] == "身份证号码校验位不正确，请核对最后一位。"
    assert found["phone"] == "手机号码应为以1开头的11位数字。"
    assert found["endorsement"] == "签注种类只能是以下之一：香港、澳门。"
    assert found["trips"] == "签注次数不能大于2。"
    assert found["extra"] == "不允许填写未定义的项目：extra。"
    assert messages({**good(), "applicant_name": "长" * 21})["applicant_name"] == (
        "申请人姓名不能超过20个字符。"
    )
    assert messages({**good(), "trips": "two"})["trips"] == "签注次数应为整数。"
    assert messages({**good(), "trips": 0})["trips"] == "签注次数不能小于1。"


def test_pattern_date_and_uscc_formats():
    schema = {
        "type": "object",
        "properties": {
            "postcode": {
                "type": "string",
                "title": "邮政编码",
                "x-title-en": "Postcode",
                "pattern": "^[0-9]{6}$",
            },
            "born": {
                "type": "string",
                "title": "出生日期",
                "x-title-en": "Date of birth",
                "format": "date",
            },
            "uscc": {
                "type": "string",
                "title": "统一社会信用代码",
                "x-title-en": "USCC",
                "format": "uscc",
            },
        },
    }
    found = {
        e.field: (e.code, str(e.message))
        for e in form_validate(
            schema=schema, data={"postcode": "51", "born": "2026-02-30", "uscc": "123"}
        )
    }
    assert found["postcode"] == ("pattern", "邮政编码的格式不正确。")
    assert found["born"] == ("format_date", "出生日期应为有效的日期，例如 2026-01-31。")
    assert found["uscc"][0] == "format_uscc" and "统一社会信用代码" in found["uscc"][1]


def test_english_uses_the_english_titles_and_labels():
    found = messages({**good(), "endorsement": "tw", "applicant_name": ""}, lang="en")
    assert "Applicant name" in found["applicant_name"]
    assert "申请人" not in found["applicant_name"]
    assert "Hong Kong" in found["endorsement"] and "Macao" in found["endorsement"]
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in found["endorsement"]), found


def test_nested_fields_get_dotted_paths():
    schema = {
        "type": "object",
        "properties": {
            "spouse": {
                "type": "object",
                "title": "配偶",
                "x-title-en": "Spouse",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "title": "配偶姓名", "x-title-en": "Spouse name"}
                },
            }
        },
    }
    [error] = form_validate(schema=schema, data={"spouse": {}})
    assert error.field == "spouse.name" and str(error.message) == "请填写配偶姓名。"


def test_coerce_and_render_helpers():
    data = form_coerce(FORM, {"applicant_name": " 李雷 ", "trips": "2", "phone": ""})
    assert data == {"applicant_name": "李雷", "trips": 2}
    fields = form_fields(FORM, data=data, errors=form_validate(schema=FORM, data=data))
    assert [f.name for f in fields] == FORM["x-order"]
    by_name = {f.name: f for f in fields}
    assert by_name["id_number"].error == "请填写身份证号码。"
    assert by_name["endorsement"].widget == "radio" and by_name["phone"].widget == "tel"
    assert by_name["trips"].widget == "number" and not by_name["trips"].required
