"""Decision tables in service packages: read into the version's definition, checked with
file:line problems in Chinese, and referenced by name from ``decisions.evaluate`` tasks."""

from __future__ import annotations

from pathlib import Path

import pytest

from onewindow.catalog.packages import (
    PackageSource,
    ValidationContext,
    package_checksum,
    package_load,
    sources_from_paths,
)
from onewindow.catalog.packages.process import engine

pytestmark = pytest.mark.skipif(engine() is None, reason="case engine not available")

HOUSING = Path(__file__).resolve().parents[4] / "catalog" / "public-rental-housing"
TABLE = "eligibility.decision.yaml"


@pytest.fixture
def city() -> ValidationContext:
    return ValidationContext.from_demo_city()


def housing() -> PackageSource:
    sources, problems = sources_from_paths([HOUSING])
    assert problems == []
    return sources[0]


def with_file(source: PackageSource, name: str, text: str | None) -> PackageSource:
    files = dict(source.files)
    if text is None:
        files.pop(name)
    else:
        files[name] = text.encode()
    return PackageSource(label="pkg", folder_name=source.folder_name, files=files)


def test_tables_are_read_into_the_definition(city):
    package = package_load(housing(), city)
    assert package.problems == []
    table = package.definition["decisions"]["eligibility"]
    assert table["hit_policy"] == "FIRST"
    assert [o["code"] for o in table["outputs"]] == ["eligible", "reason"]
    assert "when" not in table["rules"][-1]  # the default row


def test_a_changed_table_changes_the_checksum():
    source = housing()
    text = source.files[TABLE].decode().replace("> 55000", "> 56000")
    assert package_checksum(with_file(source, TABLE, text)) != package_checksum(source)


def test_broken_table_problems_name_file_and_line(city):
    source = housing()
    text = source.files[TABLE].decode()
    lines = text.splitlines()
    bad_when = next(i for i, line in enumerate(lines) if "> 55000" in line)
    lines[bad_when] = "- when: household_size == 1 and salary > 55000"
    bad_output = next(i for i, line in enumerate(lines) if line.strip() == "eligible: false")
    lines[bad_output] = "    eligible: maybe"
    found = [
        str(p) for p in package_load(with_file(source, TABLE, "\n".join(lines)), city).problems
    ]
    assert f"pkg/{TABLE}:{bad_when + 1}: 条件使用了未声明的输入：salary" in found
    assert f"pkg/{TABLE}:{bad_output + 1}: 输出 “eligible” 的值与类型 boolean 不符" in found
    # the broken table is reported once, not again as missing for the service task
    assert not any("不存在" in p for p in found)


def test_unsafe_condition_and_bad_yaml_are_reported(city):
    source = housing()
    text = (
        source.files[TABLE]
        .decode()
        .replace("- when: not hukou_guangzhou", "- when: hukou_guangzhou.__class__")
    )
    found = [str(p) for p in package_load(with_file(source, TABLE, text), city).problems]
    assert any(p.startswith(f"pkg/{TABLE}:") and "条件无效" in p for p in found), found
    found = [str(p) for p in package_load(with_file(source, TABLE, "rules: [\n"), city).problems]
    assert any(p.startswith(f"pkg/{TABLE}:") and "YAML 语法错误" in p for p in found), found


def test_a_service_task_naming_a_missing_table_is_a_problem(city):
    source = with_file(housing(), TABLE, None)
    found = [str(p) for p in package_load(source, city).problems]
    bpmn_lines = source.files["process.bpmn"].decode().splitlines()
    line = next(i for i, text in enumerate(bpmn_lines, 1) if 'id="Evaluate_Eligibility"' in text)
    assert found == [
        f"pkg/process.bpmn:{line}: 服务任务 按准入条件表自动判定 引用的决策表“eligibility”"
        "不存在；服务包中有：—（文件 <名称>.decision.yaml）。"
    ]
