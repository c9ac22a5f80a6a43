"""Decision tables of a package: every ``<name>.decision.yaml`` is read into
``definition["decisions"][name]`` (versioned and pinned with the service) and checked with
the engine's table checker; ``decisions.evaluate`` service tasks must name a table the
package has."""

from __future__ import annotations

import re
from typing import Any

import yaml
from django.utils.translation import gettext as _
from lxml import etree

from onewindow.catalog.packages.problem import Problem
from onewindow.catalog.packages.source import DECISION_SUFFIX, PackageSource
from onewindow.catalog.packages.yamllines import line_of, load_with_lines

DECISION_ACTION = "decisions.evaluate"
NAME = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def is_decision_file(name: str) -> bool:
    return name.endswith(DECISION_SUFFIX)


def _table_problems(table: Any) -> list[tuple[tuple[str | int, ...], str]]:
    try:
        from onewindow.workflow.decisions import table_problems
    except ImportError:  # the engine is not installed: structure is checked when it is
        return []
    return table_problems(table)


def decisions_load(source: PackageSource) -> tuple[dict[str, Any], list[Problem]]:
    """The package's decision tables by name (file name without ``.decision.yaml``)."""
    tables: dict[str, Any] = {}
    problems: list[Problem] = []
    for filename in sorted(n for n in source.files if is_decision_file(n)):
        file = source.path(filename)
        name = filename[: -len(DECISION_SUFFIX)]
        if not NAME.match(name):
            problems.append(
                Problem(
                    file,
                    None,
                    _("决策表文件名“%(name)s”无效：只能用小写字母、数字、- 和 _。")
                    % {"name": name},
                )
            )
            continue
        try:
            data, lines = load_with_lines(source.files[filename].decode("utf-8"))
        except UnicodeDecodeError:
            problems.append(Problem(file, None, _("文件应为 UTF-8 编码。")))
            continue
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            reason = getattr(error, "problem", None) or str(error)
            problems.append(
                Problem(
                    file,
                    mark.line + 1 if mark is not None else None,
                    _("YAML 语法错误：%(error)s") % {"error": reason},
                )
            )
            continue
        found = _table_problems(data)
        problems.extend(Problem(file, line_of(lines, path), message) for path, message in found)
        if not found:
            tables[name] = data
    return tables, problems


def decision_task_problems(
    spec: dict[str, Any], bpmn: bytes, *, file: str, tables: dict[str, Any], failed: set[str]
) -> list[Problem]:
    """Every ``decisions.evaluate`` service task names (``table``) a table of the package.
    ``failed``: names of every decision file (those with problems are reported already)."""
    lines: dict[str, int | None] = {}
    try:
        root = etree.fromstring(bpmn, parser=etree.XMLParser(resolve_entities=False))
        for node in root.iter(f"{{{BPMN_NS}}}serviceTask"):
            lines[node.get("id") or ""] = node.sourceline
    except etree.XMLSyntaxError:
        pass
    problems: list[Problem] = []
    for element, info in (spec.get("service_tasks") or {}).items():
        if info.get("action") != DECISION_ACTION:
            continue
        table = str((info.get("params") or {}).get("table") or "")
        if table in tables or table in failed:
            continue
        if not table:
            message = _("服务任务 %(task)s（decisions.evaluate）缺少输入参数 table（决策表名）。")
        else:
            message = _(
                "服务任务 %(task)s 引用的决策表“%(table)s”不存在；服务包中有：%(known)s"
                "（文件 <名称>.decision.yaml）。"
            )
        problems.append(
            Problem(
                file,
                lines.get(element),
                message
                % {
                    "task": info.get("name") or element,
                    "table": table,
                    "known": "、".join(sorted(tables)) or "—",
                },
            )
        )
    return problems
