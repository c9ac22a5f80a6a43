"""Decision tables (DMN style, hit policy FIRST) and the ``decisions.evaluate`` action.

A table is plain data (a service package's ``<name>.decision.yaml`` parsed to a dict)::

    hit_policy: FIRST
    inputs:                      # the variables the conditions may use
      - code: household_size     # taken from the process variable of the same name,
        type: integer            #   or from ``expression`` (a safe expression over the
        default: 1               #   process variables), else ``default`` when missing
      - code: income_per_capita  # a record looked up through the exchange wins over the
        type: number             #   form: ``record`` is evaluated over the applicant's
        from: exchange:gz-mzj.income-assets   # record when the process has one
        record: monthly_income_per_capita * 12
      - code: hukou_guangzhou    # ``not_found``: the value when the look-up ran and found
        type: boolean            #   no record of the applicant (the government's "none"
        from: exchange:gz-gaj.household-registration   # beats the form and the default)
        record: region_code.startswith("4401")
        not_found: false
        default: true            # no look-up at all
      - code: partner_married    # ``subject``: whose record (a party the package declares,
        type: boolean            #   looked up by the same ``exchange.lookup``); default
        from: exchange:gz-mzj.marital-status   # the applicant's
        subject: partner
        record: marital_status == "已婚"
    outputs:
      - {code: eligible, type: boolean}
      - {code: reason, type: text}
    rules:                       # top to bottom, the first rule whose ``when`` is true wins
      - when: household_size == 1 and income_per_capita > 55000
        then: {eligible: false, reason: {zh: …, en: …}}
      - then: {eligible: true, reason: …}   # no ``when``: the default (else) row

Conditions are the engine's safe expression language (``expressions.py``) and may only use
the declared inputs. :func:`table_problems` checks a table (used by the package validator);
:func:`table_evaluate` runs it. The action reads the tables from ``context["decisions"]``
(the service version's ``definition["decisions"]``), so the engine never touches models.
"""

from __future__ import annotations

import ast
import copy
import keyword
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from . import expressions
from .actions import ActionContext, exchange_variable, register_action
from .problems import EngineError

ACTION = "decisions.evaluate"
HIT_POLICIES = frozenset({"FIRST"})
INPUT_TYPES = frozenset({"boolean", "integer", "number", "text"})
OUTPUT_TYPES = INPUT_TYPES
EXCHANGE_SOURCE = "exchange:"
Path = tuple[str | int, ...]


class DecisionError(EngineError):
    """A table cannot be evaluated (missing table or input, no rule matched)."""

    code = "decision_error"


def _is_name(value: Any) -> bool:
    return isinstance(value, str) and value.isidentifier() and not keyword.iskeyword(value)


def _names(expression: str) -> set[str]:
    tree = expressions.parse(expression)
    called = {
        id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)
    }  # function names are not variables
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name)
        and id(node) not in called
        and node.id not in expressions.CONSTANTS
    }


def _value_fits(kind: str, value: Any) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(value, Mapping):  # text: a string or {zh, en}
        return bool(value) and all(isinstance(v, str) for v in value.values())
    return isinstance(value, str)


def _columns(
    table: Mapping[str, Any], key: str, types: frozenset[str], out: list[tuple[Path, str]]
) -> dict[str, dict[str, Any]]:
    what = _("输入") if key == "inputs" else _("输出")
    columns = table.get(key)
    if not isinstance(columns, list) or not columns:
        out.append(((key,), _("{key} 应为非空列表（决策表的{what}列）").format(key=key, what=what)))
        return {}
    found: dict[str, dict[str, Any]] = {}
    for index, column in enumerate(columns):
        where: Path = (key, index)
        if not isinstance(column, Mapping):
            out.append((where, _("{what}列应为映射（code、type…）").format(what=what)))
            continue
        code = column.get("code")
        if not _is_name(code):
            out.append(
                (
                    (*where, "code"),
                    _("{what}列的 code “{code}” 不是合法的变量名").format(what=what, code=code),
                )
            )
            continue
        if code in found:
            out.append(((*where, "code"), _("{what}列 “{code}” 重复").format(what=what, code=code)))
            continue
        kind = column.get("type", "text")
        if kind not in types:
            out.append(
                (
                    (*where, "type"),
                    _("{what}列 “{code}” 的类型 “{kind}” 无效；可用：{known}").format(
                        what=what, code=code, kind=kind, known="、".join(sorted(types))
                    ),
                )
            )
        expression = column.get("expression")
        if expression is not None:
            reason = expressions.check(str(expression))
            if reason:
                out.append(
                    (
                        (*where, "expression"),
                        _("输入列 “{code}” 的表达式无效：{reason}").format(
                            code=code, reason=reason
                        ),
                    )
                )
        if key == "inputs" and column.get("record") is not None:
            out.extend(_record_problems(column, where, str(code)))
        subject = column.get("subject")
        if key == "inputs" and subject is not None and not _is_name(subject):
            out.append(
                (
                    (*where, "subject"),
                    _("输入列 “{code}” 的 subject 应为 applicant 或相关人代码").format(code=code),
                )
            )
        if key == "inputs" and "not_found" in column and not record_resource(column):
            out.append(
                (
                    (*where, "not_found"),
                    _("输入列 “{code}” 有 not_found，须写明 from: exchange:<资源代码>").format(
                        code=code
                    ),
                )
            )
        found[str(code)] = dict(column)
    return found


def _record_problems(column: Mapping[str, Any], where: Path, code: str) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    if not record_resource(column):
        out.append(
            (
                (*where, "from"),
                _(
                    "输入列 “{code}” 有 record，须用 from: exchange:<资源代码> 说明取自哪项共享数据"
                ).format(code=code),
            )
        )
    if column.get("expression") is not None:
        out.append(
            (
                (*where, "record"),
                _("输入列 “{code}” 不能同时有 expression 和 record").format(code=code),
            )
        )
    reason = expressions.check(str(column["record"]))
    if reason:
        out.append(
            (
                (*where, "record"),
                _("输入列 “{code}” 的 record 表达式无效：{reason}").format(
                    code=code, reason=reason
                ),
            )
        )
    return out


def table_problems(table: Any) -> list[tuple[Path, str]]:
    """Problems of one table as (data path, Chinese message); empty when it can run."""
    out: list[tuple[Path, str]] = []
    if not isinstance(table, Mapping):
        return [((), _("决策表应为映射（inputs、outputs、rules）"))]
    policy = table.get("hit_policy", "FIRST")
    if policy not in HIT_POLICIES:
        out.append(
            (("hit_policy",), _("命中策略 “{policy}” 不受支持；只支持 FIRST").format(policy=policy))
        )
    inputs = _columns(table, "inputs", INPUT_TYPES, out)
    outputs = _columns(table, "outputs", OUTPUT_TYPES, out)
    rules = table.get("rules")
    if not isinstance(rules, list) or not rules:
        out.append((("rules",), _("rules 应为非空的规则列表")))
        return out
    catch_all: int | None = None
    for index, rule in enumerate(rules):
        where: Path = ("rules", index)
        if not isinstance(rule, Mapping):
            out.append((where, _("规则应为映射（when、then）")))
            continue
        if catch_all is not None:
            out.append(
                (
                    where,
                    _("第 {n} 条规则永远不会命中：第 {m} 条规则没有条件，总是先命中").format(
                        n=index + 1, m=catch_all + 1
                    ),
                )
            )
        when = rule.get("when")
        if when is None or (isinstance(when, str) and not when.strip()):
            catch_all = index if catch_all is None else catch_all
        elif not isinstance(when, str):
            out.append(
                ((*where, "when"), _("条件（when）应为一个表达式字符串，例如 household_size == 1"))
            )
        else:
            reason = expressions.check(when)
            if reason:
                out.append(((*where, "when"), _("条件无效：{reason}").format(reason=reason)))
            elif inputs:
                unknown = sorted(_names(when) - set(inputs))
                if unknown:
                    out.append(
                        (
                            (*where, "when"),
                            _("条件使用了未声明的输入：{names}").format(names="、".join(unknown)),
                        )
                    )
        then = rule.get("then")
        if not isinstance(then, Mapping):
            out.append(((*where, "then"), _("规则的结果（then）应为映射：输出列 → 值")))
            continue
        for code, value in then.items():
            if outputs and code not in outputs:
                out.append(
                    (
                        (*where, "then", code),
                        _("结果中的 “{code}” 不是声明的输出列").format(code=code),
                    )
                )
            elif outputs and not _value_fits(outputs[code].get("type", "text"), value):
                out.append(
                    (
                        (*where, "then", code),
                        _("输出 “{code}” 的值与类型 {kind} 不符").format(
                            code=code, kind=outputs[code].get("type", "text")
                        ),
                    )
                )
        missing = [code for code in outputs if code not in then]
        if missing:
            out.append(
                ((*where, "then"), _("规则没有给出输出：{names}").format(names="、".join(missing)))
            )
    from .explain import explain_problems  # it reads the tables this module evaluates

    out.extend(explain_problems(table, inputs, outputs))
    return out


def record_resource(column: Mapping[str, Any]) -> str:
    """The exchange resource an input names with ``from: exchange:<code>`` ('' if none)."""
    source = str(column.get("from") or "").strip()
    return source[len(EXCHANGE_SOURCE) :].strip() if source.startswith(EXCHANGE_SOURCE) else ""


def record_subject(column: Mapping[str, Any]) -> str:
    """Whose record an input reads: ``subject`` (a party code such as ``partner``), by
    default the applicant's."""
    return str(column.get("subject") or "applicant").strip() or "applicant"


def applicant_record(column: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The subject's record (the applicant's unless the input names a ``subject``) of the
    input's exchange resource, as the process's ``exchange.lookup`` stored it; None when
    nothing was looked up or nothing was found."""
    resource = record_resource(column)
    found = data.get(exchange_variable(resource)) if resource else None
    record = found.get(record_subject(column)) if isinstance(found, Mapping) else None
    return dict(record) if isinstance(record, Mapping) and record else None


def looked_up_nothing(column: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """The process looked the input's resource up and it had no record of the subject
    (as opposed to no look-up at all)."""
    resource = record_resource(column)
    found = data.get(exchange_variable(resource)) if resource else None
    subject = record_subject(column)
    return isinstance(found, Mapping) and subject in found and not found[subject]


@dataclass(frozen=True)
class InputValue:
    """One input's value and where it came from: ``record`` (the applicant's record of
    ``resource``, computed from its ``fields``), ``not_found`` (the look-up found none),
    ``expression``, ``variable`` (the process variable of the same name: the form or a
    department's finding), ``default``, or ``missing`` (no value yet)."""

    code: str
    value: Any
    source: str
    resource: str = ""
    fields: tuple[str, ...] = ()


def input_values(
    table: Mapping[str, Any], data: Mapping[str, Any], name: str, *, strict: bool = True
) -> dict[str, InputValue]:
    """Each input from, in this order: its ``expression``; the looked-up record (``record``
    evaluated over the applicant's record fields, then the process variables), when the
    process has one; ``not_found`` when the look-up found none; the process variable of the
    same name (the form); its ``default``. Without ``strict`` a missing input is returned
    as ``missing`` instead of failing the table."""
    values: dict[str, InputValue] = {}
    for column in table.get("inputs") or []:
        code = column["code"]
        resource = record_resource(column)
        record = applicant_record(column, data) if column.get("record") is not None else None
        if record is None and "not_found" in column and looked_up_nothing(column, data):
            values[code] = InputValue(code, column["not_found"], "not_found", resource)
        elif column.get("expression") is not None or record is not None:
            formula = column["record"] if record is not None else column["expression"]
            scope = {**data, **record} if record is not None else data
            try:
                value = expressions.evaluate(str(formula), scope)
            except (NameError, KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
                raise DecisionError(
                    _("决策表“{name}”的输入“{code}”无法计算：{error}").format(
                        name=name, code=code, error=exc
                    )
                ) from exc
            if record is not None:
                used = tuple(sorted(_names(str(formula)) & set(record)))
                values[code] = InputValue(code, value, "record", resource, used)
            else:
                values[code] = InputValue(code, value, "expression")
        elif data.get(code) is not None:
            values[code] = InputValue(code, data[code], "variable")
        elif "default" in column:
            values[code] = InputValue(code, column["default"], "default")
        elif strict:
            raise DecisionError(
                _("决策表“{name}”缺少输入“{code}”（流程变量中没有，也没有默认值）").format(
                    name=name, code=code
                )
            )
        else:
            values[code] = InputValue(code, None, "missing")
    return values


def _input_values(table: Mapping[str, Any], data: Mapping[str, Any], name: str) -> dict[str, Any]:
    return {code: item.value for code, item in input_values(table, data, name).items()}


def rule_index(table: Mapping[str, Any], values: Mapping[str, Any], *, name: str = "") -> int:
    """The index of the first rule that matches the input values. Raises
    :class:`DecisionError` when a condition cannot be computed or no rule matches."""
    for index, rule in enumerate(table.get("rules") or []):
        when = rule.get("when")
        if when is None or not str(when).strip():
            return index
        try:
            hit = expressions.evaluate(str(when), values)
        except (NameError, TypeError, KeyError, ValueError) as exc:
            raise DecisionError(
                _("决策表“{name}”的条件 {when} 无法计算：{error}").format(
                    name=name, when=when, error=exc
                )
            ) from exc
        if hit:
            return index
    raise DecisionError(
        _("决策表“{name}”没有命中任何规则（请在最后加一条没有条件的兜底规则）").format(name=name)
    )


def table_evaluate(table: Mapping[str, Any], data: Mapping[str, Any], *, name: str = "") -> dict:
    """The outputs of the first rule that matches ``data``. Raises :class:`DecisionError`
    when an input is missing or no rule matches (add a default row without ``when``)."""
    index = rule_index(table, _input_values(table, data, name), name=name)
    return copy.deepcopy(dict((table.get("rules") or [])[index].get("then") or {}))


def _evaluate_action(ctx: ActionContext) -> dict[str, Any]:
    name = str(ctx.params.get("table") or "")
    tables = ctx.context.get("decisions") or {}
    table = tables.get(name) if name else None
    if table is None:
        raise DecisionError(
            _("找不到决策表“{name}”；服务包中有：{known}").format(
                name=name, known="、".join(sorted(tables)) or "—"
            )
        )
    # ``today``: the city's date the table decides on, for inputs such as
    # ``age(birth_date, today)``. It is kept with the outputs (a process variable), so the
    # case page explains the decision on the day it was taken.
    today = ctx.context.get("today")
    if callable(today):
        today = today()
    day = str(today or timezone.localdate().isoformat())
    return {**table_evaluate(table, {**ctx.data, TODAY: day}, name=name), TODAY: day}


TODAY = "today"


def register() -> None:
    """Register ``decisions.evaluate`` (from the workflow app's ``ready()``)."""
    register_action(ACTION, _evaluate_action)
