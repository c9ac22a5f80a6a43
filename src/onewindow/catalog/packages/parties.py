"""Checks of the persons a package names on its form (``catalog.persons``): the applicant's
own questions (``x-applicant`` or the catalogue's names), the other persons declared under
``parties:`` in service.yaml, and the ``exchange.lookup`` tasks that look them up.

The rule that holds it together: every citizen ID the form asks for (a top-level question
with ``format: citizen-id``) is either the applicant's own — filled from their real-name
record — or a declared party's, checked against the real-name records; and the process
looks up another person's records only as a declared party, for the resources the party
declares (``lookups``), after that person's consent."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from onewindow.catalog.packages.formschema import key_line
from onewindow.catalog.packages.problem import Problem
from onewindow.catalog.packages.vocabulary import Vocabulary
from onewindow.catalog.packages.yamllines import Path as DataPath
from onewindow.catalog.persons import (
    APPLICANT,
    APPLICANT_KINDS,
    KIND_FORMATS,
    LEGACY_SUBJECTS,
    applicant_fields,
    lookup_subjects,
    party_specs,
)

LOOKUP_ACTION = "exchange.lookup"
Add = Callable[[DataPath, str], None]


def _title(spec: Any, name: str) -> str:
    return str(spec.get("title") or name) if isinstance(spec, Mapping) else name


def form_person_problems(form_schema: Mapping[str, Any], *, text: str, file: str) -> list[Problem]:
    """``x-applicant`` is one of ``name``/``id_number``/``phone`` (or ``false``), on a text
    question of the right format, one question per kind."""
    problems: list[Problem] = []
    properties = form_schema.get("properties") or {}
    seen: dict[str, str] = {}
    for name, spec in properties.items():
        if not isinstance(spec, Mapping) or "x-applicant" not in spec:
            continue
        kind = spec["x-applicant"]
        line = key_line(text, "x-applicant", after=key_line(text, name) or 1)
        if kind is False:
            continue
        if kind not in APPLICANT_KINDS:
            problems.append(
                Problem(
                    file,
                    line,
                    _("字段 %(name)s 的 x-applicant 应为 name、id_number、phone 之一或 false。")
                    % {"name": name},
                )
            )
            continue
        if kind in seen:
            problems.append(
                Problem(
                    file,
                    line,
                    _(
                        "字段 %(name)s 和 %(other)s 都标为申请人的 %(kind)s"
                        "（x-applicant），只能有一个。"
                    )
                    % {"name": name, "other": seen[kind], "kind": kind},
                )
            )
        seen[kind] = name
        wanted = KIND_FORMATS.get(kind)
        if spec.get("type") != "string" or (wanted and spec.get("format") != wanted):
            problems.append(
                Problem(
                    file,
                    line,
                    _("字段 %(name)s 标为申请人的 %(kind)s，应为 type: string%(format)s。")
                    % {
                        "name": name,
                        "kind": kind,
                        "format": f"、format: {wanted}" if wanted else "",
                    },
                )
            )
    return problems


def party_problems(
    data: Mapping[str, Any],
    form_schema: Mapping[str, Any],
    *,
    add: Add,
    vocabulary: Vocabulary,
    form_text: str,
    form_file: str,
) -> list[Problem]:
    """The ``parties:`` of service.yaml against the form and the vocabulary (reported through
    ``add`` at their service.yaml lines), and every citizen ID question of the form bound to
    the applicant or a party (returned, at the form's lines)."""
    properties = form_schema.get("properties") or {}
    mine = set(applicant_fields(form_schema).values())
    used: dict[str, str] = {}
    codes: set[str] = set()
    raw = data.get("parties")
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(item, Mapping):
            continue
        path: DataPath = ("parties", index)
        code = item.get("code")
        if isinstance(code, str):
            if code == APPLICANT or code in LEGACY_SUBJECTS:
                add((*path, "code"), _("%(code)s 是保留字，不能用作人员编码。") % {"code": code})
            elif code in codes:
                add((*path, "code"), _("人员编码 %(code)s 重复。") % {"code": code})
            codes.add(code)
        fields: Mapping[str, Any] = item.get("fields") or {}
        if not isinstance(fields, Mapping):
            fields = {}
        for kind in ("id_number", "name"):
            field = fields.get(kind)
            if not isinstance(field, str) or not properties:
                continue
            where: DataPath = (*path, "fields", kind)
            spec = properties.get(field)
            if not isinstance(spec, Mapping):
                add(
                    where,
                    _("%(field)s 不是申请表（form.schema.json）顶层的字段。") % {"field": field},
                )
                continue
            if kind == "id_number" and spec.get("format") != "citizen-id":
                add(
                    where,
                    _("%(field)s 应为身份证号码字段（format: citizen-id）。") % {"field": field},
                )
            if kind == "name" and spec.get("type") != "string":
                add(where, _("%(field)s 应为文本字段（type: string）。") % {"field": field})
            if field in mine:
                add(
                    where,
                    _("%(field)s 是申请人本人的信息（由实名信息填入），不能再作为他人的信息。")
                    % {"field": field},
                )
            elif field in used:
                add(
                    where,
                    _("%(field)s 已是人员 %(other)s 的信息。")
                    % {"field": field, "other": used[field]},
                )
            used[field] = str(code)
        for position, resource in enumerate(item.get("lookups") or []):
            if isinstance(resource, str) and resource not in vocabulary.exchange_resources:
                add(
                    (*path, "lookups", position),
                    _("未知的共享数据资源：%(code)s。") % {"code": resource},
                )
    problems: list[Problem] = []
    for name, spec in properties.items():
        if not isinstance(spec, Mapping) or spec.get("format") != "citizen-id":
            continue
        if name in mine or name in used:
            continue
        problems.append(
            Problem(
                form_file,
                key_line(form_text, name),
                _(
                    "字段 %(name)s（%(title)s）是身份证号码，但既不是申请人本人的"
                    "（x-applicant: id_number），也没有在 service.yaml 的 parties 中声明为他人的："
                    "请声明此人（code、name、fields），平台据此核对实名信息。"
                )
                % {"name": name, "title": _title(spec, name)},
            )
        )
    return problems


def _task_line(bpmn: str, element_id: str) -> int | None:
    pattern = re.compile(r'\bid="' + re.escape(element_id) + '"')
    for number, line in enumerate(bpmn.splitlines(), start=1):
        if pattern.search(line):
            return number
    return None


def lookup_problems(
    data: Mapping[str, Any],
    service_tasks: Mapping[str, Any],
    *,
    bpmn: str,
    file: str,
    add: Add,
) -> list[Problem]:
    """Each ``exchange.lookup`` of a party is of a resource the party declares in
    ``lookups``, and each declared look-up is made by the process; ``both_parties`` needs a
    declared ``partner``."""
    specs = {spec.code: spec for spec in party_specs(data)}
    problems: list[Problem] = []
    made: set[tuple[str, str]] = set()
    for element_id, task in service_tasks.items():
        if not isinstance(task, Mapping) or task.get("action") != LOOKUP_ACTION:
            continue
        params = task.get("params") or {}
        resource = str(params.get("resource") or "")
        name = str(task.get("name") or element_id)
        legacy = any(
            word in LEGACY_SUBJECTS
            for word in re.split(r"[\s,，]+", str(params.get("subject") or ""))
        )
        for subject in lookup_subjects(params):
            if subject == APPLICANT:
                continue
            spec = specs.get(subject)
            if spec is None:
                if legacy:
                    problems.append(
                        Problem(
                            file,
                            _task_line(bpmn, element_id),
                            _(
                                "服务任务 %(task)s 查询 %(subject)s 的数据：请在 service.yaml 的 "
                                "parties 中声明此人及其 lookups，查询前须经其本人授权。"
                            )
                            % {"task": name, "subject": subject},
                        )
                    )
                continue
            made.add((subject, resource))
            if resource not in spec.lookups:
                problems.append(
                    Problem(
                        file,
                        _task_line(bpmn, element_id),
                        _(
                            "服务任务 %(task)s 查询人员 %(subject)s 的 %(resource)s，"
                            "但 service.yaml 中该人员的 lookups 没有声明这项查询"
                            "（授权时要告诉本人查询哪些数据）。"
                        )
                        % {"task": name, "subject": subject, "resource": resource},
                    )
                )
    raw = data.get("parties")
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(item, Mapping):
            continue
        for position, resource in enumerate(item.get("lookups") or []):
            if (item.get("code"), resource) not in made:
                add(
                    ("parties", index, "lookups", position),
                    _(
                        "声明了查询 %(resource)s，但流程中没有 exchange.lookup 任务以 subject "
                        "%(code)s 查询它。"
                    )
                    % {"resource": resource, "code": item.get("code")},
                )
    return problems
