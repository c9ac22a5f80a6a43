"""A rule's condition, as far as it is simple, as bounds on the residents' rows: the sweep
asks the database only for the residents who can match, and the evaluator still judges each
of them exactly (:func:`onewindow.outreach.evaluate.evaluate`).

Compiled are the parts of a condition joined by ``and`` at its top that compare one person
fact with a constant: ``id_card_days_left`` (days from today, ``<`` ``<=`` ``>`` ``>=``
``==`` with a whole number), ``age`` (the same), ``district`` and ``name`` (``==`` a string,
``in`` a list of strings), and ``is None`` / ``is not None`` of those and of
``id_card_expiry``. Every bound is implied by its part of the condition (a resident outside
it cannot match), so a part that is not compiled only means more residents are read; a
condition with none (``children_entering_school > 0``, ``a or b``) reads the whole window."""

from __future__ import annotations

import ast
import datetime
import functools
from dataclasses import dataclass

from onewindow.identity.selectors import PersonBound
from onewindow.workflow import expressions

# fact → (the row's field, what the fact is of it)
_FACTS = {
    "id_card_days_left": ("id_card_valid_until", "days"),
    "id_card_expiry": ("id_card_valid_until", "nullable"),
    "age": ("birth_date", "age"),
    "district": ("region_code", "text"),
    "name": ("name", "text"),
}
_OPS = {ast.Lt: "lt", ast.LtE: "lte", ast.Gt: "gt", ast.GtE: "gte", ast.Eq: "eq"}
_FLIPPED = {"lt": "gt", "lte": "gte", "gt": "lt", "gte": "lte", "eq": "eq"}


@dataclass(frozen=True)
class _Part:
    """A bound before today is known: ``value`` is a number of days or years for the
    ``days`` and ``age`` facts."""

    fact: str
    op: str
    value: object


def person_bounds(condition: str, *, today: datetime.date) -> tuple[PersonBound, ...]:
    """Bounds every resident the condition can hold for (on ``today``) meets."""
    bounds: list[PersonBound] = []
    for part in _parts(condition):
        bounds.extend(_bound(part, today))
    return tuple(bounds)


@functools.lru_cache(maxsize=256)
def _parts(condition: str) -> tuple[_Part, ...]:
    try:
        tree = expressions.parse(condition)
    except expressions.UnsafeExpression:
        return ()
    found: list[_Part] = []
    for node in _conjuncts(tree.body):
        found.extend(_compare(node))
    return tuple(found)


def _conjuncts(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return [part for value in node.values for part in _conjuncts(value)]
    return [node]


def _constant(node: ast.AST) -> tuple[bool, object]:
    if isinstance(node, ast.Constant):
        return True, node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, int)
        and not isinstance(node.operand.value, bool)
    ):
        return True, -node.operand.value
    if isinstance(node, ast.Name) and node.id in ("None", "null"):
        return True, None
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        values = [_constant(e) for e in node.elts]
        if all(ok for ok, _ in values):
            return True, [v for _, v in values]
    return False, None


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _compare(node: ast.AST) -> list[_Part]:
    """The parts of one comparison (a chain ``0 <= x <= 90`` holds each of its pairs)."""
    if not isinstance(node, ast.Compare):
        return []
    parts: list[_Part] = []
    operands = [node.left, *node.comparators]
    for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
        part = _pair(op, left, right)
        if part is not None:
            parts.append(part)
    return parts


def _pair(op: ast.cmpop, left: ast.AST, right: ast.AST) -> _Part | None:
    flipped = False
    if not (isinstance(left, ast.Name) and left.id in _FACTS):
        left, right, flipped = right, left, True
    if not (isinstance(left, ast.Name) and left.id in _FACTS):
        return None
    is_constant, value = _constant(right)
    if not is_constant:
        return None
    fact, (_field, kind) = left.id, _FACTS[left.id]
    if isinstance(op, ast.Is | ast.IsNot) and value is None:
        return _Part(fact, "isnull", isinstance(op, ast.Is))
    if kind in ("days", "age") and type(op) in _OPS and _whole(value):
        name = _OPS[type(op)]
        return _Part(fact, _FLIPPED[name] if flipped else name, value)
    if kind == "text" and isinstance(op, ast.Eq) and isinstance(value, str):
        return _Part(fact, "eq", value)
    if (
        kind == "text"
        and isinstance(op, ast.In)
        and not flipped
        and isinstance(value, list)
        and all(isinstance(v, str) for v in value)
    ):
        return _Part(fact, "in", value)
    return None


def _bound(part: _Part, today: datetime.date) -> list[PersonBound]:
    field, kind = _FACTS[part.fact]
    if part.op == "isnull":
        return [PersonBound(field, "isnull", part.value)]
    if kind == "days":  # days left = the field − today
        day = today + datetime.timedelta(days=int(part.value))  # type: ignore[call-overload]
        return [PersonBound(field, part.op, day)]
    if kind == "age":
        return _age_bounds(field, part.op, int(part.value), today)  # type: ignore[call-overload]
    return [PersonBound(field, part.op, part.value)]


def years_before(today: datetime.date, years: int) -> datetime.date:
    """The last birth date of someone ``years`` old in full on ``today`` (29 February
    becomes the 28th in a year without it)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def _age_bounds(field: str, op: str, years: int, today: datetime.date) -> list[PersonBound]:
    """age ≥ N ⇔ born on or before :func:`years_before` (today, N), and so on."""
    if years < 0 or years > 200:
        return []
    if op == "gte":
        return [PersonBound(field, "lte", years_before(today, years))]
    if op == "gt":
        return [PersonBound(field, "lte", years_before(today, years + 1))]
    if op == "lt":
        return [PersonBound(field, "gt", years_before(today, years))]
    if op == "lte":
        return [PersonBound(field, "gt", years_before(today, years + 1))]
    return [  # eq
        PersonBound(field, "lte", years_before(today, years)),
        PersonBound(field, "gt", years_before(today, years + 1)),
    ]
