"""Submitted answers of choice questions read as their labels, not their stored values: a
multi-select (array of ``items.enum``) with ``x-enum-labels`` on the question or its items,
``enumNames``, or ``oneOf`` of ``{const, title}``; on the resident's and the staff's pages."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from onewindow.cases.forms import build_fields, flat_answers, masked_answers
from onewindow.testing.applying import apply
from onewindow.testing.cases import ANSWERS, FORM, definition, publish
from onewindow.testing.clients import staff_client

pytestmark = pytest.mark.django_db

SIGNERS = ["gz-scjgj:approver", "gz-swj:approver"]


def _rendered(schema: dict[str, Any], data: dict[str, Any]) -> str:
    answers = masked_answers(build_fields(schema, data))
    return render_to_string("cases/partials/answers.html", {"answers": answers})


def _schema(prop: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {"signers": {"title": "会签部门", **prop}}}


@pytest.mark.parametrize(
    "prop",
    [
        pytest.param(
            {
                "type": "array",
                "items": {"type": "string", "enum": SIGNERS},
                "x-enum-labels": {
                    "gz-scjgj:approver": {"zh": "市场监督管理局", "en": "Market regulation"},
                    "gz-swj:approver": {"zh": "税务局", "en": "Taxation"},
                },
            },
            id="x-enum-labels on the question",
        ),
        pytest.param(
            {
                "type": "array",
                "items": {
                    "type": "string",
                    "enum": SIGNERS,
                    "x-enum-labels": {
                        "gz-scjgj:approver": {"zh": "市场监督管理局"},
                        "gz-swj:approver": {"zh": "税务局"},
                    },
                },
            },
            id="x-enum-labels on the items",
        ),
        pytest.param(
            {
                "type": "array",
                "items": {
                    "type": "string",
                    "enum": SIGNERS,
                    "enumNames": ["市场监督管理局", "税务局"],
                },
            },
            id="items.enumNames",
        ),
        pytest.param(
            {
                "type": "array",
                "items": {
                    "type": "string",
                    "oneOf": [
                        {"const": "gz-scjgj:approver", "title": "市场监督管理局"},
                        {"const": "gz-swj:approver", "title": "税务局"},
                    ],
                },
            },
            id="items.oneOf const/title",
        ),
    ],
)
def test_a_multi_select_answer_shows_its_labels(prop: dict[str, Any]) -> None:
    html = _rendered(_schema(prop), {"signers": SIGNERS})
    assert html.strip() == (
        '<dl class="answers" id="answers"><dt>会签部门</dt><dd data-answer="signers">'
        '<span class="answer-value">市场监督管理局、税务局</span></dd></dl>'
    )


def test_single_choices_with_enum_names_or_one_of_show_their_labels() -> None:
    schema = {
        "type": "object",
        "x-order": ["result", "level"],
        "properties": {
            "result": {
                "type": "string",
                "title": "核查结果",
                "enum": ["ok", "bad"],
                "enumNames": ["符合", "不符合"],
            },
            "level": {
                "type": "string",
                "title": "等级",
                "oneOf": [
                    {"const": "a", "title": "一级", "x-title-en": "Grade one"},
                    {"const": "b", "title": "二级", "x-title-en": "Grade two"},
                ],
            },
        },
    }
    fields = flat_answers(build_fields(schema, {"result": "bad", "level": "a"}))
    assert [(f.widget, f.display_value) for f in fields] == [
        ("radio", "不符合"),
        ("radio", "一级"),
    ]
    with translation.override("en"):
        fields = flat_answers(build_fields(schema, {"result": "bad", "level": "a"}))
        assert [f.display_value for f in fields] == ["不符合", "Grade one"]
    # An answer the labels do not know stays as written.
    assert flat_answers(build_fields(schema, {"result": "other"}))[0].display_value == "other"


def test_the_case_pages_show_the_labels_of_a_multi_select(
    city: None, tmp_path: Any, resident: Any, staff: Any
) -> None:
    form = copy.deepcopy(FORM)
    form["properties"]["signers"] = {
        "type": "array",
        "title": "会签部门",
        "x-title-en": "Countersigning departments",
        "items": {"type": "string", "enum": SIGNERS},
        "x-enum-labels": {
            "gz-scjgj:approver": {"zh": "市场监督管理局", "en": "Market regulation"},
            "gz-swj:approver": {"zh": "税务局", "en": "Taxation"},
        },
    }
    form["x-order"] = [*form["x-order"], "signers"]
    publish(tmp_path, service=definition(code="labels-test"), form=form)
    case = apply(resident.user, "labels-test", answers={**ANSWERS, "signers": SIGNERS})
    assert case.form_data["signers"] == SIGNERS
    expected = (
        '<dt>会签部门</dt><dd data-answer="signers">'
        '<span class="answer-value">市场监督管理局、税务局</span></dd>'
    )

    client = Client()
    client.force_login(resident.user)
    body = client.get(f"/cases/{case.number}/").content.decode()
    assert expected in body and "gz-scjgj:approver" not in body

    client = staff_client(staff("rsj_clerk"))
    body = client.get(f"/workbench/cases/{case.number}/").content.decode()
    assert expected in body and "gz-scjgj:approver" not in body
