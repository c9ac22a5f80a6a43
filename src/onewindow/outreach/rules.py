"""Push rules as data: the triggers a rule may name, the facts each offers, and the check a
rule passes before it is saved (from a file under ``catalog/push-rules/`` or the operators'
page). A condition is an expression of the case engine's safe language
(:mod:`onewindow.workflow.expressions`); a text names only declared variables."""

from __future__ import annotations

import ast
import os
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from onewindow.core.errors import FieldError, ValidationFailed
from onewindow.workflow import expressions

SCHEDULE = "schedule"
CASE_STATUS_CHANGED = "case.status_changed"
CASE_SUPPLEMENT_REQUESTED = "case.supplement_requested"
PAYMENT_DUE = "payment.due"
LICENCE_ISSUED = "licence.issued"
LICENCE_EXPIRING = "licence.expiring"
BILL_DUE = "bill.due"
BILL_OVERDUE = "bill.overdue"
POLICY_PUBLISHED = "policy.published"

# What a person is, for every rule (facts.py builds them, only those a rule reads).
PERSON_FACTS = frozenset(
    {
        "today",
        "name",
        "age",
        "district",
        "district_name",
        "id_card_expiry",
        "id_card_days_left",
        "children_entering_school",
        "child_name",
        "school_year",
        "licence_expiring_number",
        "licence_expiring_name",
        "licence_expiring_date",
        "licence_days_left",
        "appointment_tomorrow",
        "appointment_time",
        "appointment_place",
        "contribution_gap_months",
        "contribution_gap_since",
    }
)
_CASE_FACTS = frozenset(
    {"service_name", "case_number", "news_kind", "message", "case_message_key", "event_object"}
)
# A bill's, and how its subscription wants to be told (outreach.facts.bill_facts).
_BILL_FACTS = frozenset(
    {
        "bill_kind",
        "bill_provider",
        "bill_account_tail",
        "bill_amount",
        "bill_due_date",
        "bill_period",
        "bill_days_left",
        "bill_remind_days_before",
        "bill_remind_overdue",
        "bill_link",
        "event_object",
    }
)
# The triggers, with the facts of the event each adds to the person's.
TRIGGERS: dict[str, frozenset[str]] = {
    SCHEDULE: frozenset(),
    LICENCE_EXPIRING: frozenset(),  # swept daily like a schedule, over licence facts
    CASE_STATUS_CHANGED: _CASE_FACTS,
    CASE_SUPPLEMENT_REQUESTED: _CASE_FACTS | {"supplement_reason"},
    PAYMENT_DUE: _CASE_FACTS | {"amount"},
    LICENCE_ISSUED: frozenset({"licence_number", "licence_type", "event_object"}),
    BILL_DUE: _BILL_FACTS,
    BILL_OVERDUE: _BILL_FACTS,
    POLICY_PUBLISHED: frozenset(
        {"policy_title", "policy_area", "policy_topic", "policy_link", "event_object"}
    ),
}
# Triggers evaluated by the daily sweep over the population (the others on their event).
SWEPT = frozenset({SCHEDULE, LICENCE_EXPIRING, BILL_DUE, BILL_OVERDUE})
# Triggers about the whole population, never an event of one person (bills are both: swept
# daily, and told when a bill arrives).
POPULATION = frozenset({SCHEDULE, LICENCE_EXPIRING})
CHANNELS = ("inapp", "sms", "email", "wechat")
FIELDS = (
    "code",
    "name",
    "trigger",
    "condition",
    "variables",
    "template",
    "reason",
    "object",
    "source_key",
    "link",
    "channels",
    "cooldown_days",
    "department",
    "audience_threshold",
)


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str
    trigger: str
    condition: str
    variables: tuple[str, ...]
    template: str
    reason: str
    object_key: str = ""
    source_key: str = ""
    link: str = ""
    channels: tuple[str, ...] = ("inapp", "sms")
    cooldown_days: int = 0
    department_code: str = ""
    audience_threshold: int | None = None
    source_file: str = ""
    notes: list[str] = field(default_factory=list, compare=False)


def rules_dir() -> Path:
    """``catalog/push-rules/`` beside the service packages (``OUTREACH_RULES_DIR`` overrides)."""
    configured = getattr(settings, "OUTREACH_RULES_DIR", None)
    if configured:
        return Path(configured)
    catalog = getattr(settings, "CATALOG_DIR", None) or os.environ.get("ONEWINDOW_CATALOG_DIR")
    base = Path(catalog) if catalog else Path(settings.PACKAGE_DIR).parent.parent / "catalog"
    return base / "push-rules"


def placeholders(text: str) -> list[str]:
    """The ``{names}`` a text uses; raises ValueError for a brace that does not close."""
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def render(text: str, values: Mapping[str, Any]) -> str:
    return text.format_map({k: "" if v is None else v for k, v in values.items()})


def available_facts(trigger: str) -> frozenset[str]:
    return PERSON_FACTS | TRIGGERS.get(trigger, frozenset())


def names_read(condition: str) -> set[str]:
    """The names a condition reads as values (not those it calls): unlike the engine's
    ``expressions.names`` this keeps a fact named like a built-in function (``age``)."""
    tree = expressions.parse(condition)
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name)
        and id(node) not in called
        and node.id not in expressions.CONSTANTS
    }


def condition_error(condition: str) -> tuple[int, str] | None:
    """(line, reason) when the condition does not parse or leaves the safe language."""
    text = expressions.normalize(condition)
    try:
        ast.parse(text, mode="eval")
    except SyntaxError as exc:
        return int(exc.lineno or 1), str(exc.msg)
    reason = expressions.check(condition)
    if reason is None:
        return None
    return 1, reason


def rule_check(data: Mapping[str, Any], *, condition_line: int = 0) -> RuleSpec:
    """The rule ``data`` describes, or :class:`ValidationFailed` with each problem at its
    field (a condition's with its line: ``condition_line`` is where it starts in a file)."""
    errors: list[tuple[str, str]] = []
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        errors.append(("code", _("规则含有未知的字段：%(names)s") % {"names": "、".join(unknown)}))
    code = str(data.get("code") or "").strip()
    if not code or not all(c.isascii() and (c.isalnum() or c in "-_") for c in code):
        errors.append(("code", _("规则编码只能由字母、数字、连字符组成。")))
    name = str(data.get("name") or "").strip()
    if not name:
        errors.append(("name", _("请填写规则名称。")))
    trigger = str(data.get("trigger") or "").strip()
    if trigger not in TRIGGERS:
        errors.append(("trigger", _("未知的触发条件：%(trigger)s") % {"trigger": trigger}))
    condition = str(data.get("condition") or "true").strip() or "true"
    problem = condition_error(condition)
    if problem is not None:
        line, why = problem
        errors.append(
            (
                "condition",
                _("条件第 %(line)d 行无法解析：%(why)s")
                % {"line": line + max(condition_line - 1, 0), "why": why},
            )
        )
    raw_vars = data.get("variables") or []
    variables = tuple(str(v) for v in raw_vars) if isinstance(raw_vars, list | tuple) else ()
    facts = available_facts(trigger)
    if problem is None and trigger in TRIGGERS:
        unread = sorted(names_read(condition) - facts - set(expressions.SAFE_FUNCTIONS))
        if unread:
            errors.append(
                ("condition", _("条件使用了未知的事实：%(names)s") % {"names": "、".join(unread)})
            )
    undeclared = sorted(set(variables) - facts) if trigger in TRIGGERS else []
    if undeclared:
        errors.append(
            ("variables", _("声明了未知的变量：%(names)s") % {"names": "、".join(undeclared)})
        )
    texts = {
        "template": str(data.get("template") or ""),
        "reason": str(data.get("reason") or ""),
        "object": str(data.get("object") or ""),
        "source_key": str(data.get("source_key") or ""),
        "link": str(data.get("link") or ""),
    }
    if not texts["template"].strip():
        errors.append(("template", _("请填写推送内容模板。")))
    if not texts["reason"].strip():
        errors.append(("reason", _("请填写推送原因（告诉居民为什么收到）。")))
    for key, text in texts.items():
        try:
            used = placeholders(text)
        except ValueError:
            errors.append((key, _("模板中的花括号不成对。")))
            continue
        missing = sorted({n for n in used if n not in variables})
        if missing:
            errors.append(
                (key, _("模板使用了未声明的变量：%(names)s") % {"names": "、".join(missing)})
            )
    raw_channels = data.get("channels") or ["inapp", "sms"]
    channels = tuple(str(c) for c in raw_channels) if isinstance(raw_channels, list) else ()
    if not channels or set(channels) - set(CHANNELS):
        errors.append(("channels", _("推送渠道只能是站内信、短信、邮件、微信。")))
    cooldown = data.get("cooldown_days", 0)
    if not isinstance(cooldown, int) or isinstance(cooldown, bool) or cooldown < 0:
        errors.append(("cooldown_days", _("冷却天数须为不小于 0 的整数。")))
        cooldown = 0
    threshold = data.get("audience_threshold")
    if threshold is not None and (not isinstance(threshold, int) or threshold < 0):
        errors.append(("audience_threshold", _("确认人数门槛须为不小于 0 的整数。")))
        threshold = None
    if errors:
        raise ValidationFailed(
            errors[0][1],
            field=errors[0][0],
            code="invalid_rule",
            errors=[FieldError(code="invalid_rule", message=m, field=f) for f, m in errors],
        )
    return RuleSpec(
        code=code,
        name=name,
        trigger=trigger,
        condition=condition,
        variables=variables,
        template=texts["template"],
        reason=texts["reason"],
        object_key=texts["object"],
        source_key=texts["source_key"],
        link=texts["link"],
        channels=channels,
        cooldown_days=int(cooldown),
        department_code=str(data.get("department") or "").strip(),
        audience_threshold=threshold,
    )


def _condition_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("condition"):
            return number + (1 if line.rstrip().endswith(('"""', "'''")) else 0)
    return 0


def rule_parse_file(path: Path) -> RuleSpec:
    """The rule in a TOML file; :class:`ValidationFailed` naming the file and the line."""
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationFailed(
            _("%(file)s 无法解析：%(why)s") % {"file": path.name, "why": exc}, code="invalid_rule"
        ) from exc
    try:
        spec = rule_check(data, condition_line=_condition_line(text))
    except ValidationFailed as exc:
        raise ValidationFailed(
            f"{path.name}: {exc.message}",
            field=exc.field,
            code="invalid_rule",
            errors=[
                FieldError(code=e.code, message=f"{path.name}: {e.message}", field=e.field)
                for e in exc.errors
            ],
        ) from exc
    return RuleSpec(**{**spec.__dict__, "source_file": path.name, "notes": []})
