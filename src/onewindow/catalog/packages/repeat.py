"""How often a person may apply for a service, and what follows it.

``repeat:`` in service.yaml says whether a second application is allowed:

- ``one_at_a_time``: not while an earlier one of the same applicant is still open
  (submitted, awaiting consent, in progress, awaiting a supplement);
- ``once``: not while one is open nor after one was approved (a rejected or withdrawn
  application does not count);
- ``any``: always; the start page still tells the resident about the open ones. A package
  that says nothing is treated so (every package of the catalogue says it).

Written as a mapping it can say more: ``same`` (questions of the form) makes two
applications of the same applicant "the same" only when those answers are the same (two
inspection marks for two cars are not duplicates); ``same_licence`` (a licence material)
also refuses an application presenting a licence that another open case issued or
presents, whoever applies (the settlement permit of a one-stop still in progress);
``held`` names licence types whose valid licence, held by the applicant, means the
service's result already exists (a household record: no second household registration).

``next:`` names the services a resident is offered once a case of this one is approved,
with ``carry`` (the next service's question → this form's question) and ``preset`` (the
next service's question → a fixed answer).

Pure functions: the package validator and the case services both use them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

ONE_AT_A_TIME = "one_at_a_time"
ONCE = "once"
ANY = "any"


@dataclass(frozen=True)
class RepeatRule:
    allowed: str = ONE_AT_A_TIME
    same: tuple[str, ...] = ()
    same_licence: str = ""
    held: tuple[str, ...] = ()


def repeat_rule(definition: Mapping[str, Any] | None) -> RepeatRule:
    """The package's ``repeat:`` (a word or a mapping); ``any`` when it says none."""
    raw = (definition or {}).get("repeat")
    if isinstance(raw, str):
        return RepeatRule(allowed=raw)
    if not isinstance(raw, Mapping):
        return RepeatRule(allowed=ANY)
    return RepeatRule(
        allowed=str(raw.get("allowed") or ONE_AT_A_TIME),
        same=tuple(str(q) for q in raw.get("same") or ()),
        same_licence=str(raw.get("same_licence") or ""),
        held=tuple(str(t) for t in raw.get("held") or ()),
    )


Add = Callable[[tuple[str | int, ...], str], None]


def repeat_problems(
    data: Mapping[str, Any],
    form_schema: Mapping[str, Any],
    *,
    licence_types: Mapping[str, Any],
    add: Add,
) -> None:
    """``repeat`` names questions of the form, a licence material of the package and known
    licence types; ``next`` carries answers of the form."""
    raw = data.get("repeat")
    questions = set(((form_schema or {}).get("properties") or {}).keys())
    if isinstance(raw, Mapping):
        rule = repeat_rule(data)
        if rule.allowed == ANY and (rule.same or rule.same_licence or rule.held):
            add(
                ("repeat", "allowed"),
                _("repeat.allowed 为 any（不限次数）时不写 same、same_licence 或 held。"),
            )
        for index, name in enumerate(rule.same):
            if questions and name not in questions:
                add(
                    ("repeat", "same", index),
                    _("%(name)s 不是申请表（form.schema.json）中的字段。") % {"name": name},
                )
        if rule.same_licence:
            materials = {
                str(m.get("code")): m for m in data.get("materials") or [] if isinstance(m, dict)
            }
            material = materials.get(rule.same_licence)
            if material is None or material.get("source") != "licence":
                add(
                    ("repeat", "same_licence"),
                    _("%(code)s 应为本事项以电子证照提交的材料（source: licence）的编码。")
                    % {"code": rule.same_licence},
                )
        for index, code in enumerate(rule.held):
            if code not in licence_types:
                add(("repeat", "held", index), _("未知的证照类型：%(code)s。") % {"code": code})
    for index, step in enumerate(data.get("next") or []):
        if not isinstance(step, Mapping):
            continue
        if step.get("service") == data.get("code"):
            add(("next", index, "service"), _("下一步不能是本事项自身。"))
        for target, source in (step.get("carry") or {}).items():
            if questions and source not in questions:
                add(
                    ("next", index, "carry", target),
                    _("%(name)s 不是申请表（form.schema.json）中的字段。") % {"name": source},
                )


def next_steps(definition: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return [dict(s) for s in (definition or {}).get("next") or [] if isinstance(s, Mapping)]


def carried_answers(step: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The next service's answers from this case's: ``preset`` first, then ``carry``."""
    carried: dict[str, Any] = dict(step.get("preset") or {})
    for target, source in (step.get("carry") or {}).items():
        value = answers.get(str(source))
        if value not in (None, ""):
            carried[str(target)] = value
    return carried


def repeat_label(
    definition: Mapping[str, Any] | None,
    *,
    question_titles: Mapping[str, str] | None = None,
    licence_names: Mapping[str, str] | None = None,
) -> str:
    """What the service guide says about how often one may apply ("" when the package says
    nothing): 每人只能办理一次, 同一时间只能有一件申请在办理, 不限次数, narrowed by ``same``
    and with the licences ``held`` named."""
    if "repeat" not in (definition or {}):
        return ""
    rule = repeat_rule(definition)
    titles = "、".join((question_titles or {}).get(q, q) for q in rule.same)
    if rule.allowed == ANY:
        return _("不限次数")
    if rule.allowed == ONCE:
        text = _("同一%(what)s只能办理一次") % {"what": titles} if titles else _("每人只能办理一次")
    else:
        text = (
            _("同一%(what)s同一时间只能有一件申请在办理") % {"what": titles}
            if titles
            else _("同一时间只能有一件申请在办理")
        )
    if rule.held:
        names = "、".join((licence_names or {}).get(code, code) for code in rule.held)
        text += _("；已持有%(licences)s的不能再申请") % {"licences": names}
    return text
