"""The process of a package: ``process.bpmn`` compiled by the case engine (or the engine's
default accept → approve → conclude process), and the candidate groups of its user tasks
resolved to department roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree

from onewindow.catalog.packages.problem import Problem, as_problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
APPLICANT_GROUP = "applicant"  # tasks the applicant answers (补正), not a department's
# ``company:<question>``: a task held by the company whose USCC that form question gives (the
# graduate's employer): its legal representative or an authorised agent answers it.
COMPANY_GROUP_PREFIX = "company:"


def company_group_question(group: str) -> str | None:
    """``company:employer_uscc`` → ``employer_uscc``; None for any other group."""
    if group.startswith(COMPANY_GROUP_PREFIX):
        return group[len(COMPANY_GROUP_PREFIX) :] or None
    return None


@dataclass(frozen=True)
class GroupUse:
    task_id: str
    task_name: str
    group: str
    line: int | None


def engine() -> Any | None:
    """The case engine module, or None while it is not installed."""
    try:
        from onewindow import workflow as module
    except ImportError:
        return None
    if not (hasattr(module, "compile_process") and hasattr(module, "default_process")):
        return None  # an engine module without the compiler: nothing to validate with
    return module


def split_groups(raw: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (raw or "").split(",") if part.strip())


def bpmn_group_uses(data: bytes, *, file: str) -> tuple[list[GroupUse], list[Problem]]:
    """Every user task's candidate groups with the line they are written on."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno if getattr(error, "lineno", None) else None
        return [], [Problem(file, line, _("BPMN 不是有效的 XML：%(error)s") % {"error": error.msg})]
    if root.tag != f"{{{BPMN_NS}}}definitions":
        return [], [Problem(file, root.sourceline, _("BPMN 的根元素应为 bpmn:definitions。"))]
    uses: list[GroupUse] = []
    problems: list[Problem] = []
    for task in root.iter(f"{{{BPMN_NS}}}userTask"):
        task_id = task.get("id") or ""
        name = task.get("name") or task_id
        groups = split_groups(task.get(f"{{{CAMUNDA_NS}}}candidateGroups"))
        if not groups:
            problems.append(
                Problem(
                    file,
                    task.sourceline,
                    _(
                        "用户任务 %(task)s 没有指定候选组（camunda:candidateGroups），"
                        "无法派给任何部门。"
                    )
                    % {"task": name},
                )
            )
        uses.extend(GroupUse(task_id, name, group, task.sourceline) for group in groups)
    return uses, problems


def resolve_group(group: str, roles: dict[str, Any]) -> tuple[str, str] | None:
    """``clerk`` → roles["clerk"]; ``gz-gaj:approver`` literally. None if unmapped, and for
    a company's task (``company:<question>``), which no department role holds."""
    if group.startswith(COMPANY_GROUP_PREFIX):
        return None
    mapped = roles.get(group)
    if isinstance(mapped, dict) and mapped.get("department") and mapped.get("role"):
        return str(mapped["department"]), str(mapped["role"])
    if ":" in group:
        department, role = group.split(":", 1)
        if department and role:
            return department, role
    return None


def default_owner_group(definition: dict[str, Any]) -> str:
    return str(definition.get("department") or "")


def default_steps(
    module: Any, definition: dict[str, Any], *, variables: set[str] | None = None
) -> dict[str, Any]:
    """The look-ups and licence issues the default process makes: what the package
    declares (``declared``), so a package without BPMN does what it says. A material's
    ``key`` that is not a question of the form (``variables``) is left out: the validator
    reports it at the material."""
    from onewindow.catalog.packages.declared import declared_licences, declared_lookups
    from onewindow.catalog.packages.vocabulary import vocabulary_load

    types = vocabulary_load().licence_types
    lookups = [
        module.DefaultLookup(
            resource=item.resource,
            name=item.name,
            subject=item.subject,
            key=item.key_expression if variables is None or item.key in variables else "",
        )
        for item in declared_lookups(definition)
    ]
    issues = [
        module.DefaultIssue(
            licence_type=item.licence_type,
            name=str((types.get(item.licence_type) or {}).get("zh") or item.licence_type),
        )
        for item in declared_licences(definition)
    ]
    return {"lookups": lookups, "issues": issues}


@dataclass
class ProcessResult:
    bpmn: bytes
    is_default: bool
    compiled: Any | None
    problems: list[Problem]
    engine_missing: bool = False


def process_compile(
    *,
    bpmn: bytes | None,
    called: dict[str, bytes],
    file: str,
    definition: dict[str, Any],
    variables: set[str] | None = None,
    task_forms: dict[str, dict[str, Any]] | None = None,
) -> ProcessResult:
    """``variables``: the form's questions (what the process starts with); ``task_forms``:
    the package's task forms by user task id."""
    module = engine()
    is_default = bpmn is None
    if is_default:
        if module is None:
            return ProcessResult(b"", True, None, [], engine_missing=True)
        bpmn = module.default_process(
            owner_group=default_owner_group(definition),
            **default_steps(module, definition, variables=variables),
        )
    assert bpmn is not None
    if module is None:
        return ProcessResult(bpmn, is_default, None, [], engine_missing=True)
    try:
        compiled = module.compile_process(
            bpmn,
            filename=file,
            called=called or None,
            variables=variables,
            task_forms=task_forms or None,
            decisions=definition.get("decisions") or None,
        )
    except Exception as error:  # a crash in the engine is a problem of this package
        return ProcessResult(
            bpmn,
            is_default,
            None,
            [Problem(file, None, _("流程无法编译：%(error)s") % {"error": error})],
        )
    problems = [as_problem(p) for p in compiled.problems]
    return ProcessResult(bpmn, is_default, compiled, problems)


@dataclass(frozen=True)
class InstanceGroups:
    """A 会签 task whose instances go to ``${element}`` of a collection variable."""

    task_id: str
    task_name: str
    collection: str
    line: int | None


def bpmn_instance_groups(data: bytes) -> list[InstanceGroups]:
    """User tasks with per-instance candidate groups (``${dept}``) and their collection."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError:
        return []
    found = []
    for task in root.iter(f"{{{BPMN_NS}}}userTask"):
        if "${" not in (task.get(f"{{{CAMUNDA_NS}}}candidateGroups") or ""):
            continue
        loop = task.find(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics")
        raw = (loop.get(f"{{{CAMUNDA_NS}}}collection") or "") if loop is not None else ""
        collection = raw.strip().removeprefix("${").removesuffix("}").strip()
        found.append(
            InstanceGroups(
                task.get("id") or "",
                task.get("name") or task.get("id") or "",
                collection,
                task.sourceline,
            )
        )
    return found


def collection_choices(form_schema: dict[str, Any], name: str) -> list[str] | None:
    """The values a form question offers for a collection (an array of enum items), or None
    when the question is not a multiple choice."""
    question = ((form_schema or {}).get("properties") or {}).get(name)
    if not isinstance(question, dict) or question.get("type") != "array":
        return None
    items = question.get("items") or {}
    if isinstance(items.get("enum"), list):
        return [str(v) for v in items["enum"]]
    options = items.get("oneOf") or items.get("anyOf")
    if isinstance(options, list):
        return [str(o["const"]) for o in options if isinstance(o, dict) and "const" in o]
    return None
