"""Task forms of a package: every ``<user task id>.task.json`` is a JSON Schema of what the
holder of that task records (a department's finding), checked here and merged by the engine
with any ``camunda:formData`` the BPMN has for the same task."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from onewindow.catalog.packages.problem import Problem
from onewindow.catalog.packages.source import TASK_FORM_SUFFIX, PackageSource


def _engine_problems(form: Any) -> list[str]:
    try:
        from onewindow.workflow.taskforms import form_problems
    except ImportError:  # the engine is not installed
        return []
    return form_problems(form)


def task_forms_load(source: PackageSource) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """The package's task forms by user task id."""
    forms: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for filename in sorted(n for n in source.files if n.endswith(TASK_FORM_SUFFIX)):
        file = source.path(filename)
        task_id = filename[: -len(TASK_FORM_SUFFIX)]
        try:
            form = json.loads(source.files[filename].decode("utf-8"))
        except UnicodeDecodeError:
            problems.append(Problem(file, None, _("文件应为 UTF-8 编码。")))
            continue
        except json.JSONDecodeError as error:
            problems.append(
                Problem(file, error.lineno, _("JSON 格式错误：%(error)s") % {"error": error.msg})
            )
            continue
        found = _engine_problems(form)
        problems.extend(Problem(file, None, message) for message in found)
        if not found:
            forms[task_id] = form
    return forms, problems


def task_form_problems(
    forms: dict[str, dict[str, Any]], user_tasks: dict[str, Any], *, source: PackageSource
) -> list[Problem]:
    """A task form must belong to a user task of the process."""
    return [
        Problem(
            source.path(task_id + TASK_FORM_SUFFIX),
            None,
            _("任务表单 %(file)s 对应的用户任务 %(task)s 不在流程中。")
            % {"file": task_id + TASK_FORM_SUFFIX, "task": task_id},
        )
        for task_id in forms
        if task_id not in user_tasks
    ]
