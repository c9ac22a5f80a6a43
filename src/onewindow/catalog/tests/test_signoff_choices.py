"""A sign-off over the departments chosen on the form: the form's question must be a
required multiple choice whose every option is a department of the city."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from onewindow.catalog.packages import PackageSource, ValidationContext, package_load
from onewindow.catalog.packages.source import source_from_folder
from onewindow.catalog.packages.vocabulary import default_catalog_dir

FOLDER = default_catalog_dir() / "completion-joint-acceptance"
pytestmark = pytest.mark.skipif(not FOLDER.is_dir(), reason="demo package not present")


def _with_form(change: Callable[[dict[str, Any]], None]) -> list[str]:
    source, _ = source_from_folder(FOLDER)
    form = json.loads(source.files["form.schema.json"])
    change(form)
    files = {**source.files, "form.schema.json": json.dumps(form, ensure_ascii=False).encode()}
    copy = PackageSource(label="pkg", folder_name=source.folder_name, files=files)
    return [p.message for p in package_load(copy, ValidationContext.from_demo_city()).problems]


def test_the_real_package_is_valid() -> None:
    assert _with_form(lambda form: None) == []


def test_an_optional_choice_would_leave_the_signoff_without_departments() -> None:
    found = _with_form(lambda form: form["required"].remove("co_departments"))
    assert found == [
        "会签任务 相关部门会签 的部门来自申请表的 co_departments：该题须为必填（required），"
        "否则未勾选时会签无从派发，办件会停在这里。"
    ]


def test_every_choice_must_be_a_department_of_the_city() -> None:
    def add_unknown(form: dict[str, Any]) -> None:
        form["properties"]["co_departments"]["items"]["enum"].append("gz-nowhere")

    found = _with_form(add_unknown)
    assert (
        "会签任务 相关部门会签 的可选部门 gz-nowhere（申请表 co_departments）"
        "不是本市的部门或“部门编码:角色编码”。"
    ) in found
