"""Why a decision table decided what it did: the rule that matched, every input's value and
where it came from, and the figures the rule compared (``housing_area_per_capita >= 15``
with the value 62.0), so a refusal can say "家庭人均住房建筑面积 62 平方米，标准为低于 15
平方米" and a check task can show the table's verdict before anyone decides.

Optional keys of a table that only serve the explanation (all checked by
:func:`explain_problems`, called from ``table_problems``)::

    verdict: eligible            # the boolean output that says 符合 / 不符合 (default: eligible)
    inputs:
      - code: housing_area_per_capita
        unit: {zh: 平方米, en: m²}   # printed after the value and the threshold
      - code: household_size
        criterion: false            # a grouping input: ``household_size == 3`` picks the line
                                    # that applies, it is not a standard the applicant fails
    rules:
      - when: monthly_income / household_size > 2070
        explain:                    # for a condition the figures cannot be read from: text
          zh: 家庭人均月收入 {monthly_income / household_size} 元，标准为不超过 2070 元
                                    # with {expression} placeholders over the inputs

Figures are read from the matched rule's ``when``: each comparison of one input with a
constant (both orders, chains included), each bare boolean input (``owns_housing``) and each
negated one (``not hukou_guangzhou``); of an ``or`` only the operands that hold. Other
comparisons (of computed values) give no figure: write ``explain`` for them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from . import expressions
from .decisions import DecisionError, InputValue, input_values, rule_index

Path = tuple[str | int, ...]
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
# The comparison with the input on the left: ``15 <= x`` is ``x >= 15``.
FLIPPED = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "==": "==", "!=": "!="}
SYMBOLS = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<=", ast.Eq: "==", ast.NotEq: "!="}
TRUTH, NEGATION = "truth", "not"


@dataclass(frozen=True)
class Figure:
    """One thing the matched rule tested: ``op`` is a comparison (``>=``: the input's value
    against ``threshold``), ``truth`` (a boolean input that holds) or ``not`` (one that does
    not)."""

    input: str
    value: Any
    op: str
    threshold: Any = None


@dataclass(frozen=True)
class Explanation:
    """A table's decision on the data it was given. ``rule`` is the index of the matched
    rule, -1 while an input has no value yet (``missing``)."""

    table: str  # the table's name in the version (``eligibility``)
    rule: int
    outputs: dict[str, Any]
    inputs: dict[str, InputValue]
    figures: tuple[Figure, ...]
    explain: Any  # the rule's ``explain`` with its placeholders filled (str or {zh, en})
    missing: tuple[str, ...]

    @property
    def decided(self) -> bool:
        return self.rule >= 0


def verdict_output(table: Mapping[str, Any]) -> str:
    """The boolean output that says whether the applicant meets the table ('' if none)."""
    outputs = {str(o.get("code")): o for o in table.get("outputs") or [] if isinstance(o, Mapping)}
    code = str(table.get("verdict") or "eligible")
    column = outputs.get(code)
    return code if column is not None and column.get("type") == "boolean" else ""


def table_explain(table: Mapping[str, Any], data: Mapping[str, Any], *, name: str) -> Explanation:
    """The table's decision on ``data`` with its reasons. An input without a value yet gives
    an undecided explanation (``missing``); a formula or a condition that cannot be computed
    raises :class:`DecisionError`, as the evaluation would."""
    inputs = input_values(table, data, name, strict=False)
    missing = tuple(code for code, item in inputs.items() if item.source == "missing")
    if missing:
        return Explanation(name, -1, {}, inputs, (), None, missing)
    values = {code: item.value for code, item in inputs.items()}
    index = rule_index(table, values, name=name)
    rule = (table.get("rules") or [])[index]
    when = str(rule.get("when") or "").strip()
    figures = tuple(_figures(expressions.parse(when).body, values)) if when else ()
    return Explanation(
        table=name,
        rule=index,
        outputs=dict(rule.get("then") or {}),
        inputs=inputs,
        figures=figures,
        explain=_filled(rule.get("explain"), values),
        missing=(),
    )


def _figures(node: ast.AST, values: Mapping[str, Any]) -> list[Figure]:
    if isinstance(node, ast.BoolOp):
        out: list[Figure] = []
        for operand in node.values:
            if isinstance(node.op, ast.Or) and not _holds(operand, values):
                continue
            out.extend(_figures(operand, values))
        return out
    if isinstance(node, ast.Name) and node.id in values:
        return [Figure(node.id, values[node.id], TRUTH)]
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.Not)
        and isinstance(node.operand, ast.Name)
        and node.operand.id in values
    ):
        return [Figure(node.operand.id, values[node.operand.id], NEGATION)]
    if isinstance(node, ast.Compare):
        out = []
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            symbol = SYMBOLS.get(type(op))
            if symbol is not None:
                figure = _comparison(left, symbol, right, values)
                if figure is not None:
                    out.append(figure)
            left = right
        return out
    return []


def _comparison(
    left: ast.AST, symbol: str, right: ast.AST, values: Mapping[str, Any]
) -> Figure | None:
    if isinstance(left, ast.Name) and left.id in values and _is_constant(right):
        return Figure(left.id, values[left.id], symbol, _constant(right))
    if isinstance(right, ast.Name) and right.id in values and _is_constant(left):
        return Figure(right.id, values[right.id], FLIPPED[symbol], _constant(left))
    return None


def _is_constant(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _is_constant(node.operand)
    return isinstance(node, ast.Constant) and isinstance(node.value, int | float | str)


def _constant(node: ast.AST) -> Any:
    if isinstance(node, ast.UnaryOp):
        return -_constant(node.operand)
    return node.value  # type: ignore[attr-defined]


def _holds(node: ast.AST, values: Mapping[str, Any]) -> bool:
    try:
        return bool(expressions.evaluate(ast.unparse(node), values))
    except (NameError, TypeError, KeyError, ValueError, ZeroDivisionError):
        return False


def _filled(text: Any, values: Mapping[str, Any]) -> Any:
    """``explain`` with each ``{expression}`` replaced by its value over the inputs."""
    if text is None:
        return None
    if isinstance(text, Mapping):
        return {lang: _filled(str(part), values) for lang, part in text.items()}

    def value(match: re.Match[str]) -> str:
        try:
            return number_text(expressions.evaluate(match.group(1), values))
        except (NameError, TypeError, KeyError, ValueError, ZeroDivisionError) as exc:
            raise DecisionError(
                _("决策表说明中的 {{{expr}}} 无法计算：{error}").format(
                    expr=match.group(1), error=exc
                )
            ) from exc

    return PLACEHOLDER.sub(value, str(text))


def number_text(value: Any) -> str:
    """A figure as a letter prints it: 62.0 → 62, 18.5333 → 18.53, 54000 → 54000."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _text_ok(value: Any) -> bool:
    if isinstance(value, Mapping):
        return bool(value) and all(isinstance(v, str) and v for v in value.values())
    return isinstance(value, str) and bool(value.strip())


def explain_problems(
    table: Mapping[str, Any], inputs: Mapping[str, Any], outputs: Mapping[str, Any]
) -> list[tuple[Path, str]]:
    """Problems of the explanation keys (``verdict``, ``unit``, ``criterion``, ``explain``)."""
    out: list[tuple[Path, str]] = []
    verdict = table.get("verdict")
    if verdict is not None and outputs:
        column = outputs.get(str(verdict))
        if column is None or column.get("type") != "boolean":
            out.append(
                (
                    ("verdict",),
                    _("verdict “{code}” 应为一个布尔类型的输出列（表示是否符合）").format(
                        code=verdict
                    ),
                )
            )
    for index, column in enumerate(table.get("inputs") or []):
        if not isinstance(column, Mapping):
            continue
        if "unit" in column and not _text_ok(column["unit"]):
            out.append(
                (
                    ("inputs", index, "unit"),
                    _("输入列 “{code}” 的单位（unit）应为文字或 {{zh, en}}").format(
                        code=column.get("code")
                    ),
                )
            )
        if "criterion" in column and not isinstance(column["criterion"], bool):
            out.append(
                (
                    ("inputs", index, "criterion"),
                    _("输入列 “{code}” 的 criterion 应为 true 或 false").format(
                        code=column.get("code")
                    ),
                )
            )
    for index, rule in enumerate(table.get("rules") or []):
        if not isinstance(rule, Mapping) or "explain" not in rule:
            continue
        text = rule["explain"]
        where: Path = ("rules", index, "explain")
        if not _text_ok(text):
            out.append((where, _("规则的说明（explain）应为文字或 {zh, en}")))
            continue
        parts = text.values() if isinstance(text, Mapping) else [text]
        for part in parts:
            for expression in PLACEHOLDER.findall(str(part)):
                reason = expressions.check(expression)
                if reason:
                    out.append(
                        (
                            where,
                            _("说明中的 {{{expr}}} 无效：{reason}").format(
                                expr=expression, reason=reason
                            ),
                        )
                    )
                    continue
                unknown = sorted(expressions.names(expression) - set(inputs))
                if inputs and unknown:
                    out.append(
                        (
                            where,
                            _("说明中的 {{{expr}}} 使用了未声明的输入：{names}").format(
                                expr=expression, names="、".join(unknown)
                            ),
                        )
                    )
    return out
