"""A decision table's result in words, for the people it concerns: the resident's refusal
says "家庭人均住房建筑面积 62 平方米，标准为低于 15 平方米" and where the figure came from, and a
check task shows the table's verdict on the records before anyone decides —
"规则结果：不符合（家庭人均住房建筑面积 62 平方米 ≥ 15 平方米）" (``engine.explain`` reads the
matched rule; this module words it)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onewindow.cases.models import Case
from onewindow.core.text import zh_text
from onewindow.exchange.selectors import resource_facts
from onewindow.workflow import expressions
from onewindow.workflow.decisions import DecisionError, InputValue
from onewindow.workflow.explain import (
    NEGATION,
    PLACEHOLDER,
    TRUTH,
    Explanation,
    Figure,
    number_text,
    table_explain,
    verdict_output,
)

MASK = "***"
# (resource, record fields the figure was computed from) -> the viewer may not see it.
Hidden = Callable[[str, frozenset[str]], bool]


def _nothing_hidden(resource: str, fields: frozenset[str]) -> bool:
    return False


@dataclass(frozen=True)
class Source:
    """One look-up of the case: what, from whom, when, and its call-log reference."""

    resource: str
    name: str
    department: str
    at: datetime.datetime | None
    reference: str
    found: bool

    @property
    def label(self) -> str:
        return f"{self.name}（{self.department}）" if self.department else self.name


def case_sources(case: Case) -> dict[str, Source]:
    """The case's look-ups by resource (the latest of each), from its timeline (the look-up
    writes one entry per resource with the call-log reference, never the values)."""
    rows = list(case.events.filter(kind="data_lookup").order_by("at", "pk"))
    codes = [str(row.data.get("resource") or "") for row in rows]
    facts = resource_facts(c for c in codes if c)
    found: dict[str, Source] = {}
    for row, code in zip(rows, codes, strict=True):
        if not code:
            continue
        fact = facts.get(code)
        found[code] = Source(
            resource=code,
            name=fact.name if fact else code,
            department=fact.department if fact else "",
            at=row.at,
            reference=str(row.data.get("reference") or ""),
            found=bool(row.data.get("found")),
        )
    return found


@dataclass(frozen=True)
class FigureLine:
    """One figure of the matched rule in words. ``text`` is the standard the applicant did
    not meet ("… 62 平方米，标准为低于 15 平方米"), ``compact`` the comparison ("… 62 平方米 ≥
    15 平方米"); a grouping input's figure ("家庭人口数 3 人") and a yes/no one are context."""

    input: str
    text: str
    compact: str
    criterion: bool
    boolean: bool
    hidden: bool
    source: str


@dataclass(frozen=True)
class InputLine:
    label: str
    value: str
    source: str
    hidden: bool


@dataclass(frozen=True)
class RuleResult:
    """A table's result on a case's data, as a check task shows it."""

    table: str
    name: str
    decided: bool  # the process has evaluated it (else: what it would decide on the data now)
    verdict: bool | None  # 符合 / 不符合; None when the table has no yes/no output
    reason: str
    summary: str  # 规则结果：不符合（…）
    figures: list[FigureLine] = field(default_factory=list)
    inputs: list[InputLine] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    error: str = ""


def _columns(table: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(c.get("code")): c for c in table.get("inputs") or [] if isinstance(c, Mapping)}


def _label(column: Mapping[str, Any], code: str) -> str:
    return str(column.get("zh") or code)


def _with_unit(value: Any, column: Mapping[str, Any]) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    unit = zh_text(column.get("unit"))
    text = number_text(value)
    return f"{text} {unit}" if unit else text


def source_text(item: InputValue, sources: Mapping[str, Source], form: set[str]) -> str:
    """Where an input's value came from, in words."""
    if item.source in ("record", "not_found"):
        source = sources.get(item.resource)
        what = source.label if source else item.resource
        if item.source == "not_found":
            return _("%(what)s：未查到记录") % {"what": what}
        if source is not None and source.at is not None:
            when = timezone.localtime(source.at).strftime("%Y-%m-%d %H:%M")
            return _("%(what)s，%(when)s 调取") % {"what": what, "when": when}
        return what
    if item.source == "variable":
        return _("申请表填报") if item.code in form else _("部门核查结论")
    if item.source == "expression":
        return _("按申请表计算")
    if item.source == "default":
        return _("未调取数据，按默认值")
    return _("尚无数据")


STANDARD = {
    ">=": gettext_noop("%(label)s %(value)s，标准为低于 %(threshold)s"),
    ">": gettext_noop("%(label)s %(value)s，标准为不超过 %(threshold)s"),
    "<": gettext_noop("%(label)s %(value)s，标准为不低于 %(threshold)s"),
    "<=": gettext_noop("%(label)s %(value)s，标准为高于 %(threshold)s"),
}
SYMBOL = {">=": "≥", ">": "＞", "<": "＜", "<=": "≤", "==": "＝", "!=": "≠"}


def _figure_line(
    figure: Figure,
    column: Mapping[str, Any],
    *,
    hidden: bool,
    source: str,
) -> FigureLine:
    label = _label(column, figure.input)
    if figure.op in (TRUTH, NEGATION):
        value = _("是") if figure.value else _("否")
        text = _("%(label)s：%(value)s") % {"label": label, "value": value}
        return FigureLine(figure.input, text, text, False, True, False, source)
    value = MASK if hidden else _with_unit(figure.value, column)
    threshold = _with_unit(figure.threshold, column)
    values = {"label": label, "value": value, "threshold": threshold}
    criterion = bool(column.get("criterion", True)) and figure.op in STANDARD
    plain = _("%(label)s %(value)s") % values
    text = _(STANDARD[figure.op]) % values if criterion else plain
    compact = (
        f"{label} {value} {SYMBOL.get(figure.op, figure.op)} {threshold}" if criterion else plain
    )
    return FigureLine(figure.input, text, compact, criterion, False, hidden, source)


def figure_lines(
    table: Mapping[str, Any],
    explanation: Explanation,
    *,
    sources: Mapping[str, Source],
    form: set[str],
    hidden: Hidden = _nothing_hidden,
) -> list[FigureLine]:
    """The matched rule's figures in words, grouping inputs first, each input once."""
    columns = _columns(table)
    lines: list[FigureLine] = []
    seen: set[tuple[str, bool]] = set()
    for figure in explanation.figures:
        column = columns.get(figure.input, {})
        item = explanation.inputs.get(figure.input)
        secret = (
            item is not None
            and item.source == "record"
            and hidden(item.resource, frozenset(item.fields))
        )
        line = _figure_line(
            figure,
            column,
            hidden=secret,
            source=source_text(item, sources, form) if item else "",
        )
        key = (figure.input, line.criterion)
        if not line.criterion and key in seen:
            continue  # 4 <= household_size <= 12: one line "家庭人口数 5 人"
        seen.add(key)
        lines.append(line)
    return sorted(lines, key=lambda line: line.criterion)


def explain_text(explanation: Explanation) -> str:
    return zh_text(explanation.explain)


def standard_text(lines: list[FigureLine], explanation: Explanation) -> str:
    """The figures against the standards, for the resident ('' when only yes/no facts, which
    the reason already says): "家庭人口数 3 人，家庭人均年可支配收入 54000 元，标准为不超过
    45000 元"."""
    if explanation.explain is not None:
        return explain_text(explanation)
    criteria = [line.text for line in lines if line.criterion]
    if not criteria:
        return ""
    context = [line.text for line in lines if not line.criterion and not line.boolean]
    return "，".join([*context, "；".join(criteria)])


def compact_text(lines: list[FigureLine], explanation: Explanation) -> str:
    if explanation.explain is not None:
        return explain_text(explanation)
    return "；".join(line.compact for line in lines)


def refusal_reason(reason: str, standard: str) -> str:
    """The reason a resident reads: the table's reason with the figures against the standard,
    e.g. "家庭人均住房建筑面积不低于15平方米（家庭人均住房建筑面积 62 平方米，标准为低于 15
    平方米）"."""
    if not standard or standard in reason:
        return reason
    if not reason:
        return standard
    return _("%(reason)s（%(standard)s）") % {"reason": reason, "standard": standard}


def _tables(case: Case) -> dict[str, Mapping[str, Any]]:
    tables = (case.service_version.definition or {}).get("decisions") or {}
    return {str(k): v for k, v in tables.items() if isinstance(v, Mapping)}


def _form_fields(case: Case) -> set[str]:
    return set((case.service_version.form_schema or {}).get("properties") or {})


def deciding_table(
    case: Case, variables: Mapping[str, Any]
) -> tuple[str, Mapping[str, Any], Explanation] | None:
    """The table whose outputs are the case's: the one the process evaluated last (its
    reason is the case's), re-read on the same data."""
    for name, table in _tables(case).items():
        outputs = [str(o.get("code")) for o in table.get("outputs") or [] if isinstance(o, Mapping)]
        if not outputs or not all(code in variables for code in outputs):
            continue
        try:
            explanation = table_explain(table, variables, name=name)
        except DecisionError:
            continue
        if explanation.decided and all(
            explanation.outputs.get(code) == variables.get(code) for code in outputs
        ):
            return name, table, explanation
    return None


def explain_line(
    table: Mapping[str, Any],
    explanation: Explanation,
    *,
    sources: Mapping[str, Source],
    form: set[str],
) -> FigureLine:
    """The matched rule's own ``explain`` as a figure line, with where the inputs it names
    came from."""
    raw = zh_text(((table.get("rules") or [])[explanation.rule]).get("explain"))
    named: set[str] = set()
    for part in PLACEHOLDER.findall(raw):
        named |= expressions.names(part)
    where = [
        source_text(item, sources, form)
        for code, item in explanation.inputs.items()
        if code in named
    ]
    text = explain_text(explanation)
    return FigureLine("", text, text, True, False, False, "；".join(dict.fromkeys(where)))


def table_refusal(
    case: Case, variables: Mapping[str, Any]
) -> tuple[str, list[FigureLine], str] | None:
    """(reason, figure lines, standard text) of the table that decided the case, or None."""
    found = deciding_table(case, variables)
    if found is None:
        return None
    _name, table, explanation = found
    sources, form = case_sources(case), _form_fields(case)
    if explanation.explain is not None:
        lines = [explain_line(table, explanation, sources=sources, form=form)]
    else:
        lines = figure_lines(table, explanation, sources=sources, form=form)
    reason = zh_text(explanation.outputs.get("reason"))
    return reason, lines, standard_text(lines, explanation)


def rule_results(
    case: Case, variables: Mapping[str, Any], *, hidden: Hidden = _nothing_hidden
) -> list[RuleResult]:
    """Every decision table of the case's version on the data the case has now: the result
    the process recorded, or — while the checks are open — what the table will decide on
    these records. ``hidden`` says which record-derived figures the viewer may not see."""
    tables = _tables(case)
    if not tables:
        return []
    sources = case_sources(case)
    form = _form_fields(case)
    results = []
    for name, table in tables.items():
        title = zh_text(table.get("name")) or name
        outputs = [str(o.get("code")) for o in table.get("outputs") or [] if isinstance(o, Mapping)]
        decided = bool(outputs) and all(code in variables for code in outputs)
        if not decided and not verdict_output(table):
            continue  # a table that only words a reason (no 符合/不符合): nothing to preview
        try:
            explanation = table_explain(table, variables, name=name)
        except DecisionError as exc:
            results.append(
                RuleResult(
                    name, title, decided, None, "", _("规则结果：无法判定"), error=str(exc.message)
                )
            )
            continue
        columns = _columns(table)
        inputs = [
            InputLine(
                label=_label(columns.get(code, {}), code),
                value=(
                    "—"
                    if item.source == "missing"
                    else MASK
                    if item.source == "record" and hidden(item.resource, frozenset(item.fields))
                    else _with_unit(item.value, columns.get(code, {}))
                ),
                source=source_text(item, sources, form),
                hidden=item.source == "record" and hidden(item.resource, frozenset(item.fields)),
            )
            for code, item in explanation.inputs.items()
        ]
        if not explanation.decided:
            missing = [_label(columns.get(code, {}), code) for code in explanation.missing]
            summary = _("规则结果：尚不能判定（缺少：%(names)s）") % {"names": "、".join(missing)}
            results.append(
                RuleResult(name, title, decided, None, "", summary, inputs=inputs, missing=missing)
            )
            continue
        lines = figure_lines(table, explanation, sources=sources, form=form, hidden=hidden)
        verdict_code = verdict_output(table)
        verdict = explanation.outputs.get(verdict_code) if verdict_code else None
        verdict = verdict if isinstance(verdict, bool) else None
        reason = zh_text(explanation.outputs.get("reason"))
        detail = compact_text(lines, explanation) or reason
        if verdict is None:
            summary = _("规则结果：%(detail)s") % {"detail": detail}
        else:
            word = _("符合") if verdict else _("不符合")
            summary = (
                _("规则结果：%(verdict)s（%(detail)s）") % {"verdict": word, "detail": detail}
                if detail
                else _("规则结果：%(verdict)s") % {"verdict": word}
            )
        results.append(
            RuleResult(name, title, decided, verdict, reason, summary, figures=lines, inputs=inputs)
        )
    return results


def looked_up_for(case: Case, task_uid: str, run: Any) -> set[str]:
    """The resources looked up on the task's own path (the look-ups at the head of its
    branch): the records fetched for this check."""
    steps = set(run.steps_before(task_uid))
    if not steps:
        return set()
    service_tasks = (case.service_version.process_spec or {}).get("service_tasks") or {}
    return {
        str((info.get("params") or {}).get("resource") or "")
        for element, info in service_tasks.items()
        if element in steps and info.get("action") == "exchange.lookup"
    } - {""}
