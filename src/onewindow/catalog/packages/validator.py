"""Load and check one service package: ``service.yaml`` against the package schema and
the city (departments, roles, vocabulary), ``form.schema.json`` against our conventions,
and the process through the case engine. Every problem carries its file and line."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from onewindow.catalog.jsonmessages import explain
from onewindow.catalog.packages.context import ValidationContext
from onewindow.catalog.packages.decisions import decision_task_problems, decisions_load
from onewindow.catalog.packages.declared import declared_problems
from onewindow.catalog.packages.establishes import establishes_problems
from onewindow.catalog.packages.formschema import form_schema_parse
from onewindow.catalog.packages.guidefacts import guide_fact_problems
from onewindow.catalog.packages.guidefacts import working_days as _working_days
from onewindow.catalog.packages.joint import joint_problems
from onewindow.catalog.packages.licence_outcome import outcome_licence_problems
from onewindow.catalog.packages.parties import (
    form_person_problems,
    lookup_problems,
    party_problems,
)
from onewindow.catalog.packages.problem import Problem
from onewindow.catalog.packages.process import (
    APPLICANT_GROUP,
    bpmn_group_uses,
    bpmn_instance_groups,
    collection_choices,
    company_group_question,
    process_compile,
    resolve_group,
    split_groups,
)
from onewindow.catalog.packages.refusal import refusal_problems
from onewindow.catalog.packages.repeat import repeat_problems
from onewindow.catalog.packages.source import (
    DECISION_SUFFIX,
    FORM_FILE,
    PROCESS_FILE,
    SERVICE_FILE,
    TASK_FORM_SUFFIX,
    PackageSource,
)
from onewindow.catalog.packages.taskforms import task_form_problems, task_forms_load
from onewindow.catalog.packages.yamllines import Path as DataPath
from onewindow.catalog.packages.yamllines import line_of, load_with_lines


@cache
def package_schema() -> dict[str, Any]:
    with open(Path(__file__).with_name("service.schema.json"), encoding="utf-8") as handle:
        return dict(json.load(handle))


@dataclass
class LoadedPackage:
    source: PackageSource
    definition: dict[str, Any] = field(default_factory=dict)
    form_schema: dict[str, Any] = field(default_factory=dict)
    bpmn: str = ""
    bpmn_is_default: bool = False
    process_spec: dict[str, Any] = field(default_factory=dict)
    user_tasks: dict[str, Any] = field(default_factory=dict)
    service_tasks: dict[str, str] = field(default_factory=dict)
    checksum: str = ""
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # not in ``problems``, nor ``ok``
    engine_missing: bool = False

    @property
    def code(self) -> str:
        return str(self.definition.get("code") or self.source.folder_name)

    @property
    def ok(self) -> bool:
        return not self.problems


def package_checksum(source: PackageSource) -> str:
    digest = hashlib.sha256()
    for name in sorted(source.files):
        if name in {SERVICE_FILE, FORM_FILE} or name.endswith(
            (".bpmn", DECISION_SUFFIX, TASK_FORM_SUFFIX)
        ):
            digest.update(name.encode() + b"\0" + source.files[name] + b"\0")
    return digest.hexdigest()


class _Checker:
    def __init__(self, source: PackageSource, context: ValidationContext) -> None:
        self.source = source
        self.context = context
        self.file = source.path(SERVICE_FILE)
        self.lines: dict[DataPath, int] = {}
        self.problems: list[Problem] = []

    def add(self, path: DataPath, message: str) -> None:
        self.problems.append(Problem(self.file, line_of(self.lines, path), message))

    def parse(self) -> dict[str, Any] | None:
        raw = self.source.files.get(SERVICE_FILE)
        if raw is None:
            self.problems.append(Problem(self.file, None, _("缺少服务定义文件 service.yaml。")))
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.problems.append(Problem(self.file, None, _("文件应为 UTF-8 编码。")))
            return None
        try:
            data, self.lines = load_with_lines(text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            reason = getattr(error, "problem", None) or str(error)
            self.problems.append(
                Problem(self.file, line, _("YAML 语法错误：%(error)s") % {"error": reason})
            )
            return None
        if not isinstance(data, dict):
            self.problems.append(
                Problem(self.file, 1, _("service.yaml 的顶层应为映射（键: 值）。"))
            )
            return None
        return data

    def check_format(self, data: dict[str, Any]) -> None:
        validator = Draft202012Validator(package_schema())
        errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path)))
        for error in errors:
            path = tuple(error.absolute_path)
            if error.validator == "oneOf" and error.context:
                best = min(error.context, key=lambda e: len(list(e.absolute_path)))
                error = best
            for where, _code, message in explain(error, _dotted):
                self.add(where if error.validator == "required" else path, message)

    def check_city(self, data: dict[str, Any]) -> None:
        vocab = self.context.vocabulary
        folder = self.source.folder_name
        code = data.get("code")
        if folder and isinstance(code, str) and code != folder:
            self.add(
                ("code",),
                _("服务编码 %(code)s 应与目录名 %(folder)s 一致。")
                % {"code": code, "folder": folder},
            )
        self._department(("department",), data.get("department"))
        for index, dept in enumerate(_list(data.get("co_departments"))):
            self._department(("co_departments", index), dept)
        for index, event in enumerate(_list(data.get("life_events"))):
            if isinstance(event, str) and event not in vocab.life_events:
                self.add(("life_events", index), _("未知的人生事件：%(code)s。") % {"code": event})
        for index, topic in enumerate(_list(data.get("topics"))):
            if isinstance(topic, str) and topic not in vocab.topics:
                self.add(("topics", index), _("未知的主题：%(code)s。") % {"code": topic})
        self._materials(_list(data.get("materials")))
        self._fees(_list(data.get("fees")))
        limit = data.get("time_limit")
        if isinstance(limit, dict):
            statutory, promised = limit.get("statutory_days"), limit.get("promised_days")
            if isinstance(statutory, int) and isinstance(promised, int) and statutory < promised:
                self.add(
                    ("time_limit", "statutory_days"),
                    _("法定办结时限（%(s)s）不能少于承诺办结时限（%(p)s）。")
                    % {"s": _working_days(statutory), "p": _working_days(promised)},
                )
        guide_fact_problems(data, add=self.add)
        outcome = data.get("outcome")
        if isinstance(outcome, dict):
            kind, licence = outcome.get("type"), outcome.get("licence_type")
            if kind == "licence" and not licence:
                self.add(("outcome",), _("办理结果为证照时须写明 licence_type。"))
            if isinstance(licence, str) and licence not in vocab.licence_types:
                self.add(
                    ("outcome", "licence_type"), _("未知的证照类型：%(code)s。") % {"code": licence}
                )
        roles = data.get("roles")
        if isinstance(roles, dict):
            for group, spec in roles.items():
                if not isinstance(spec, dict):
                    continue
                self._department(("roles", group, "department"), spec.get("department"))
                self._role(("roles", group, "role"), spec.get("role"))

    def _department(self, path: DataPath, code: Any) -> None:
        if isinstance(code, str) and code and not self.context.has_department(code):
            self.add(path, _("部门 %(code)s 不存在。") % {"code": code})

    def _role(self, path: DataPath, code: Any) -> None:
        if isinstance(code, str) and code and not self.context.has_role(code):
            self.add(path, _("角色 %(code)s 不存在。") % {"code": code})

    def _materials(self, materials: list[Any]) -> None:
        vocab = self.context.vocabulary
        seen: set[str] = set()
        for index, item in enumerate(materials):
            if not isinstance(item, dict):
                continue
            path: DataPath = ("materials", index)
            code = item.get("code")
            if isinstance(code, str):
                if code in seen:
                    self.add((*path, "code"), _("材料编码 %(code)s 重复。") % {"code": code})
                seen.add(code)
            source = item.get("source")
            if source != "upload":
                for key in ("accept", "max_mb"):
                    if key in item:
                        self.add(
                            (*path, key),
                            _("%(key)s 只适用于由申请人上传（source: upload）的材料。")
                            % {"key": key},
                        )
            if source == "exchange":
                resource = item.get("resource")
                if not resource:
                    self.add(path, _("共享获取的材料须写明 resource（数据资源编码）。"))
                elif resource not in vocab.exchange_resources:
                    self.add(
                        (*path, "resource"),
                        _("未知的共享数据资源：%(code)s。") % {"code": resource},
                    )
            elif "resource" in item:
                self.add(
                    (*path, "resource"), _("只有共享获取（source: exchange）的材料才写 resource。")
                )
            if source == "licence":
                licence = item.get("licence_type")
                if not licence:
                    self.add(path, _("电子证照材料须写明 licence_type（证照类型编码）。"))
                elif licence not in vocab.licence_types:
                    self.add(
                        (*path, "licence_type"), _("未知的证照类型：%(code)s。") % {"code": licence}
                    )
            elif "licence_type" in item:
                self.add(
                    (*path, "licence_type"),
                    _("只有电子证照（source: licence）的材料才写 licence_type。"),
                )
            if "form_fields" in item and source != "licence":
                self.add(
                    (*path, "form_fields"),
                    _("只有电子证照（source: licence）的材料才写 form_fields。"),
                )

    def check_licence_outcome(self, data: dict[str, Any], form_schema: dict[str, Any]) -> None:
        """What the licence of a licence outcome states (``licence_outcome``)."""
        outcome = data.get("outcome")
        if not isinstance(outcome, dict):
            return
        if outcome.get("type") != "licence":
            for key in ("issuer", "validity", "particulars", "bundle"):
                if key in outcome:
                    self.add(
                        ("outcome", key), _("只有办理结果为证照时才写 %(key)s。") % {"key": key}
                    )
            return
        vocab = self.context.vocabulary
        # Every declared licence is issued (the default process issues it; a drawn one must:
        # declared_problems), so a validity the decision sets must be declared.
        outcome_licence_problems(
            outcome,
            form_schema=form_schema,
            licence_types=vocab.licence_types,
            has_department=self.context.has_department,
            add=self.add,
        )
        for index, entry in enumerate(_list(outcome.get("bundle"))):
            if not isinstance(entry, dict):
                continue
            at: DataPath = ("outcome", "bundle", index)
            code = entry.get("licence_type")
            if isinstance(code, str) and code not in vocab.licence_types:
                self.add((*at, "licence_type"), _("未知的证照类型：%(code)s。") % {"code": code})
            outcome_licence_problems(
                entry,
                form_schema=form_schema,
                licence_types=vocab.licence_types,
                has_department=self.context.has_department,
                add=self.add,
                at=at,
            )

    def check_form_fields(self, data: dict[str, Any], form_schema: dict[str, Any]) -> None:
        """``form_fields`` of a licence material name questions of the form."""
        self.check_licence_outcome(data, form_schema)
        questions = set((form_schema or {}).get("properties") or {})
        for index, item in enumerate(_list(data.get("materials"))):
            fields = item.get("form_fields") if isinstance(item, dict) else None
            if not isinstance(fields, dict) or not questions:
                continue
            for name in fields:
                if name not in questions:
                    self.add(
                        ("materials", index, "form_fields", name),
                        _("form_fields 中的 %(name)s 不是申请表（form.schema.json）中的字段。")
                        % {"name": name},
                    )

    def _fees(self, fees: list[Any]) -> None:
        seen: set[str] = set()
        for index, item in enumerate(fees):
            if not isinstance(item, dict):
                continue
            code = item.get("code")
            if isinstance(code, str):
                if code in seen:
                    self.add(
                        ("fees", index, "code"), _("收费项目编码 %(code)s 重复。") % {"code": code}
                    )
                seen.add(code)
            amount = item.get("amount")
            if not isinstance(amount, str):
                continue  # reported by the format check
            try:
                value = Decimal(amount)
            except InvalidOperation:
                continue
            if value <= 0:
                self.add(("fees", index, "amount"), _("收费金额应为正数（元）。"))

    def check_groups(
        self, data: dict[str, Any], bpmn: bytes, file: str, *, structural: bool
    ) -> list[GroupResolution]:
        """Resolve every candidate group. ``structural``: also report unreadable XML and
        tasks without groups (the engine reports those itself when it is available)."""
        uses, problems = bpmn_group_uses(bpmn, file=file)
        if structural:
            self.problems.extend(problems)
        roles = data.get("roles") if isinstance(data.get("roles"), dict) else {}
        resolved: list[GroupResolution] = []
        for use in uses:
            if use.group == APPLICANT_GROUP or "${" in use.group:
                continue  # per-instance groups: check_instance_groups
            if company_group_question(use.group) is not None:
                continue  # a company's task: check_company_groups
            target = resolve_group(use.group, roles or {})
            if target is None:
                self.problems.append(
                    Problem(
                        file,
                        use.line,
                        _(
                            "候选组 %(group)s（任务 %(task)s）没有映射到部门角色："
                            "请在 service.yaml 的 roles 中定义，或写成“部门编码:角色编码”。"
                        )
                        % {"group": use.group, "task": use.task_name},
                    )
                )
                continue
            department, role = target
            if use.group not in (roles or {}):
                if not self.context.has_department(department):
                    self.problems.append(
                        Problem(file, use.line, _("部门 %(code)s 不存在。") % {"code": department})
                    )
                if not self.context.has_role(role):
                    self.problems.append(
                        Problem(file, use.line, _("角色 %(code)s 不存在。") % {"code": role})
                    )
            resolved.append(GroupResolution(use.task_id, use.group, department, role))
        return resolved

    def check_company_groups(self, bpmn: bytes, file: str, form_schema: dict[str, Any]) -> None:
        """A company's task (``company:<question>``): the question is a top-level question
        of the form with ``format: uscc`` (the company the applicant names)."""
        uses, _problems = bpmn_group_uses(bpmn, file=file)
        questions = (form_schema or {}).get("properties") or {}
        for use in uses:
            name = company_group_question(use.group)
            if name is None:
                continue
            if (questions.get(name) or {}).get("format") != "uscc":
                self.problems.append(
                    Problem(
                        file,
                        use.line,
                        _(
                            "候选组 %(group)s（任务 %(task)s）须指向申请表中填写统一社会信用代码"
                            "（format: uscc）的问题。"
                        )
                        % {"group": use.group, "task": use.task_name},
                    )
                )

    def check_instance_groups(self, bpmn: bytes, file: str, form_schema: dict[str, Any]) -> None:
        """A 会签 over departments chosen on the form: the collection is a multiple-choice
        question whose every choice is a department (its approvers) or a
        ``department:role`` of the city."""
        for use in bpmn_instance_groups(bpmn):
            choices = collection_choices(form_schema, use.collection)
            if choices is None:
                self.problems.append(
                    Problem(
                        file,
                        use.line,
                        _(
                            "会签任务 %(task)s 按实例派发给 %(collection)s 中的部门："
                            "%(collection)s 须是申请表中的多选题（type: array，items 带 enum）。"
                        )
                        % {"task": use.task_name, "collection": use.collection or "-"},
                    )
                )
                continue
            if use.collection not in (form_schema.get("required") or []):
                self.problems.append(
                    Problem(
                        file,
                        use.line,
                        _(
                            "会签任务 %(task)s 的部门来自申请表的 %(collection)s：该题须为必填"
                            "（required），否则未勾选时会签无从派发，办件会停在这里。"
                        )
                        % {"task": use.task_name, "collection": use.collection},
                    )
                )
            for choice in choices:
                department, _sep, role = choice.partition(":")
                if not self.context.has_department(department) or (
                    role and not self.context.has_role(role)
                ):
                    self.problems.append(
                        Problem(
                            file,
                            use.line,
                            _(
                                "会签任务 %(task)s 的可选部门 %(choice)s（申请表 %(collection)s）"
                                "不是本市的部门或“部门编码:角色编码”。"
                            )
                            % {
                                "task": use.task_name,
                                "choice": choice,
                                "collection": use.collection,
                            },
                        )
                    )


@dataclass(frozen=True)
class GroupResolution:
    task_id: str
    group: str
    department: str
    role: str


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dotted(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return f"「{text}」" if text else "service.yaml"


def package_load(source: PackageSource, context: ValidationContext) -> LoadedPackage:
    """Parse and check one package. ``problems`` is empty when it can be published."""
    package = LoadedPackage(source=source, checksum=package_checksum(source))
    checker = _Checker(source, context)
    data = checker.parse()
    if data is not None:
        checker.check_format(data)
        checker.check_city(data)
        package.definition = data
    form_schema, form_problems = form_schema_parse(
        source.files.get(FORM_FILE), file=source.path(FORM_FILE)
    )
    package.form_schema = form_schema
    if data is not None:
        checker.check_form_fields(data, form_schema)
        repeat_problems(  # repeat: and next: (catalog.packages.repeat)
            data, form_schema, licence_types=context.vocabulary.licence_types, add=checker.add
        )
        establishes_problems(data, form_schema, add=checker.add)  # catalog.packages.establishes
        if not form_problems:  # the persons named on the form (catalog.persons)
            form_text = (source.files.get(FORM_FILE) or b"").decode("utf-8", errors="replace")
            form_problems += form_person_problems(
                form_schema, text=form_text, file=source.path(FORM_FILE)
            )
            form_problems += party_problems(
                data,
                form_schema,
                add=checker.add,
                vocabulary=context.vocabulary,
                form_text=form_text,
                form_file=source.path(FORM_FILE),
            )
    tables, decision_problems = decisions_load(source)
    if data is not None:
        if tables:
            data["decisions"] = tables
        task_forms, form_file_problems = task_forms_load(source)
        package.problems.extend(form_file_problems)
        questions = set((form_schema or {}).get("properties") or {}) if not form_problems else None
        _load_process(package, checker, data, variables=questions, task_forms=task_forms)
        if not package.engine_missing:
            package.problems.extend(
                lookup_problems(
                    data,
                    (package.process_spec or {}).get("service_tasks") or {},
                    bpmn=package.bpmn,
                    file=source.path(PROCESS_FILE),
                    add=checker.add,
                )
            )
        if package.process_spec:
            package.problems.extend(
                task_form_problems(task_forms, package.user_tasks, source=source)
            )
            package.problems.extend(
                decision_task_problems(
                    package.process_spec,
                    package.bpmn.encode(),
                    file=source.path(PROCESS_FILE),
                    tables=tables,
                    failed={
                        name.removesuffix(DECISION_SUFFIX)
                        for name in source.files
                        if name.endswith(DECISION_SUFFIX)
                    },
                )
            )
            refusal_problems(data, package.process_spec, add=checker.add)
        joint_problems(  # a joint application (catalog.packages.joint)
            data, user_tasks=package.user_tasks if package.process_spec else None, add=checker.add
        )
        if not package.engine_missing:  # the process does what the package declares
            declared_problems(
                data,
                package.process_spec.get("service_tasks") or {} if package.process_spec else None,
                form_schema=form_schema,
                is_default=package.bpmn_is_default,
                add=checker.add,
            )
    package.problems.extend(decision_problems)
    package.problems = checker.problems + form_problems + package.problems
    return package


def _load_process(
    package: LoadedPackage,
    checker: _Checker,
    data: dict[str, Any],
    *,
    variables: set[str] | None,
    task_forms: dict[str, dict[str, Any]],
) -> None:
    source = package.source
    bpmn = source.files.get(PROCESS_FILE)
    file = source.path(PROCESS_FILE)
    called = {
        source.path(name): body
        for name, body in source.bpmn_files().items()
        if name != PROCESS_FILE
    }
    if called:  # kept with the version: the service guide lists and draws called processes
        data["process_files"] = {
            name: body.decode("utf-8", errors="replace")
            for name, body in source.bpmn_files().items()
            if name != PROCESS_FILE
        }
    result = process_compile(
        bpmn=bpmn,
        called=called,
        file=file,
        definition=data,
        variables=variables,
        task_forms=task_forms,
    )
    package.engine_missing = result.engine_missing
    package.bpmn_is_default = result.is_default
    package.bpmn = result.bpmn.decode("utf-8", errors="replace")
    package.problems.extend(p for p in result.problems if not p.warning)
    package.warnings.extend(p for p in result.problems if p.warning)
    resolutions: list[GroupResolution] = []
    if result.bpmn and not result.is_default:
        structural = result.engine_missing
        resolutions = checker.check_groups(data, result.bpmn, file, structural=structural)
        checker.check_instance_groups(result.bpmn, file, package.form_schema)
        checker.check_company_groups(result.bpmn, file, package.form_schema)
        for name, body in called.items():
            resolutions += checker.check_groups(data, body, name, structural=structural)
            checker.check_instance_groups(body, name, package.form_schema)
    compiled = result.compiled
    if compiled is None:
        return
    package.process_spec = dict(compiled.spec)
    package.service_tasks = dict(compiled.service_tasks)
    by_task: dict[str, list[dict[str, str]]] = {}
    for item in resolutions:
        by_task.setdefault(item.task_id, []).append(
            {"group": item.group, "department": item.department, "role": item.role}
        )
    package.user_tasks = {
        element_id: {
            "id": info.id,
            "name": info.name,
            "candidate_groups": list(info.candidate_groups),
            "multi_instance": bool(info.multi_instance),
            "form": (package.process_spec.get("user_tasks") or {}).get(element_id, {}).get("form")
            or {},
            "assignees": by_task.get(element_id, [])
            or [
                {"group": g, "department": d, "role": r}
                for g in info.candidate_groups
                if (target := resolve_group(g, data.get("roles") or {}))
                for d, r in [target]
            ],
        }
        for element_id, info in compiled.user_tasks.items()
    }


__all__ = ["LoadedPackage", "package_checksum", "package_load", "split_groups"]
