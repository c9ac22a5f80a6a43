"""What a package declares its process does: the shared data it looks up (materials with
``source: exchange``) and the licences it issues (``outcome``: the licence of a licence
outcome and every licence of its ``bundle`` — a 一件事 produces each outcome it bundles).

The default process (a package without ``process.bpmn``) is generated from these, and the
validator checks that a drawn process does them too. Pure functions over the definition."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from onewindow.catalog.persons import APPLICANT, party_specs

Add = Callable[[tuple[str | int, ...], str], None]
LOOKUP_ACTION = "exchange.lookup"
ISSUE_ACTION = "licences.issue"


@dataclass(frozen=True)
class DeclaredLookup:
    resource: str
    name: str  # the material's Chinese name
    subjects: tuple[str, ...]  # applicant and the parties who declare this look-up
    key: str  # the form question naming the record ("" for the subject's own record)
    path: tuple[str | int, ...]  # where it is declared in service.yaml

    @property
    def subject(self) -> str:
        return ",".join(self.subjects)

    @property
    def key_expression(self) -> str:
        return "${" + self.key + "}" if self.key else ""


@dataclass(frozen=True)
class DeclaredLicence:
    licence_type: str
    declaration: Mapping[str, Any]  # the outcome, or its bundle entry
    path: tuple[str | int, ...]


def _zh(value: Any, default: str) -> str:
    if isinstance(value, Mapping):
        return str(value.get("zh") or value.get("en") or default)
    return str(value or default)


def declared_lookups(definition: Mapping[str, Any] | None) -> list[DeclaredLookup]:
    """One look-up per shared-data resource the materials name (the first material naming
    it gives the name and key), in order; its subjects are the applicant and every party
    whose ``lookups`` list the resource. A party's look-up of a resource no material names
    is added after them."""
    definition = definition or {}
    parties = party_specs(definition)
    found: dict[str, DeclaredLookup] = {}
    for index, item in enumerate(definition.get("materials") or []):
        if not isinstance(item, Mapping) or item.get("source") != "exchange":
            continue
        resource = item.get("resource")
        if not isinstance(resource, str) or not resource or resource in found:
            continue
        subjects = (APPLICANT, *(p.code for p in parties if resource in p.lookups))
        found[resource] = DeclaredLookup(
            resource=resource,
            name=_zh(item.get("name"), resource),
            subjects=subjects,
            key=str(item.get("key") or ""),
            path=("materials", index),
        )
    for position, party in enumerate(parties):
        for resource in party.lookups:
            if resource not in found:
                found[resource] = DeclaredLookup(
                    resource=resource,
                    name=resource,
                    subjects=(APPLICANT, *(p.code for p in parties if resource in p.lookups)),
                    key="",
                    path=("parties", position, "lookups"),
                )
    return list(found.values())


def declared_licences(definition: Mapping[str, Any] | None) -> list[DeclaredLicence]:
    """The licence of a licence outcome, then each licence of ``outcome.bundle``."""
    outcome = (definition or {}).get("outcome")
    if not isinstance(outcome, Mapping):
        return []
    out: list[DeclaredLicence] = []
    code = outcome.get("licence_type")
    if outcome.get("type") == "licence" and isinstance(code, str) and code:
        out.append(DeclaredLicence(code, outcome, ("outcome", "licence_type")))
    for index, entry in enumerate(outcome.get("bundle") or []):
        if not isinstance(entry, Mapping):
            continue
        code = entry.get("licence_type")
        if isinstance(code, str) and code:
            out.append(DeclaredLicence(code, entry, ("outcome", "bundle", index)))
    return out


def licence_declaration(
    definition: Mapping[str, Any] | None, licence_type: str
) -> Mapping[str, Any]:
    """What the package declares about the licence ``licence_type`` it issues (the outcome
    or its bundle entry), or an empty mapping."""
    for item in declared_licences(definition):
        if item.licence_type == licence_type:
            return item.declaration
    return {}


def process_does(
    service_tasks: Mapping[str, Any],
) -> tuple[dict[str, set[str]], set[str]]:
    """What a compiled process does: the subjects looked up per resource, and the licence
    types issued (from the spec's ``service_tasks``: action and parameters)."""
    from onewindow.catalog.persons import lookup_subjects

    looked: dict[str, set[str]] = {}
    issued: set[str] = set()
    for task in service_tasks.values():
        if not isinstance(task, Mapping):
            continue
        params = task.get("params") or {}
        if task.get("action") == LOOKUP_ACTION:
            resource = str(params.get("resource") or "")
            looked.setdefault(resource, set()).update(lookup_subjects(params))
        elif task.get("action") == ISSUE_ACTION:
            issued.add(str(params.get("licence_type") or ""))
    return looked, issued


def declared_problems(
    data: Mapping[str, Any],
    service_tasks: Mapping[str, Any] | None,
    *,
    form_schema: Mapping[str, Any],
    is_default: bool,
    add: Add,
) -> None:
    """The process does what the package declares: every shared-data material is looked up
    (for the parties that declare it too), and every outcome licence — the outcome's and
    each one its ``bundle`` lists — is issued by a ``licences.issue`` task. A material's
    ``key`` is a question of the form. Reported at the declaration: a drawn process that
    leaves out a look-up (the clerk would find no record, and the applicant was told not
    to submit it) or never issues a declared licence (the applicant would be told of a
    licence that never reaches the wallet). The default process does both by
    construction. ``service_tasks`` None: the process did not compile (only the keys are
    checked)."""
    questions = set((form_schema or {}).get("properties") or {})
    looked, issued = process_does(service_tasks or {})
    keyed = {
        str((task.get("params") or {}).get("resource") or "")
        for task in (service_tasks or {}).values()
        if isinstance(task, Mapping)
        and task.get("action") == LOOKUP_ACTION
        and (task.get("params") or {}).get("key")
    }
    for item in declared_lookups(data):
        if item.key and questions and item.key not in questions:
            add(
                (*item.path, "key"),
                _("key %(name)s 不是申请表（form.schema.json）中的字段。") % {"name": item.key},
            )
        if is_default or service_tasks is None:
            continue
        if item.key and item.resource in looked and item.resource not in keyed:
            add(
                (*item.path, "key"),
                _(
                    "材料“%(name)s”按申请表的 %(key)s 查找记录，但流程中查询 %(resource)s 的 "
                    "exchange.lookup 任务没有传入 key：申请人的任何一份记录都会被当作这一份。"
                )
                % {"name": item.name, "key": item.key, "resource": item.resource},
            )
        # (a party's own look-ups are checked by parties.lookup_problems)
        if item.resource not in looked and item.path[0] == "materials":
            add(
                item.path,
                _(
                    "材料“%(name)s”声明由共享获取（%(resource)s），但流程中没有 "
                    "exchange.lookup 任务查询它：受理时查不到这份材料，申请人也无从提交。"
                )
                % {"name": item.name, "resource": item.resource},
            )
    for licence in declared_licences(data):
        if service_tasks is None or licence.licence_type in issued:
            continue
        add(
            licence.path,
            _(
                "办理结果声明核发 %(code)s，但流程中没有 licences.issue 任务"
                "（licence_type: %(code)s）签发它：准予后申请人的证照夹里不会有这份证照。"
            )
            % {"code": licence.licence_type},
        )
