"""A small, safe expression language for BPMN conditions (a subset of Python).

Conditions on sequence flows, multi-instance collections and completion conditions are
evaluated here instead of with Python's ``eval`` on arbitrary code. An expression is parsed
with :mod:`ast`; anything outside a whitelist of node types is refused before evaluation,
names resolve only to process variables and a handful of pure built-ins, and attribute access
is limited to a few read-only methods of ``str``/``dict``/``list`` values. Camunda's
``${...}`` wrapper and the JUEL operators ``&&``, ``||``, ``!`` are accepted and translated.
"""

from __future__ import annotations

import ast
import datetime
import functools
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment


class UnsafeExpression(ValueError):
    """The expression uses something outside the safe subset, or does not parse."""


def age_on(born: Any, on: Any) -> int:
    """Full years of a person born on ``born`` at the date ``on`` (ISO dates, or dates):
    ``age(birth_date, today)`` in a decision table (a birthday on 29 February counts on
    1 March in other years)."""
    birth, day = _date(born), _date(on)
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


SAFE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "age": age_on,
    "len": len,
    "min": min,
    "max": max,
    "sum": sum,
    "any": any,
    "all": all,
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "abs": abs,
    "round": round,
    "sorted": sorted,
    "set": set,
    "list": list,
    "dict": dict,
}
CONSTANTS: dict[str, Any] = {
    "True": True,
    "False": False,
    "None": None,
    "true": True,
    "false": False,
    "null": None,
}
# Read-only methods callable on values (e.g. ``name.startswith("广州")``, ``data.get("x")``).
SAFE_METHODS = frozenset(
    {
        "get",
        "keys",
        "values",
        "items",
        "startswith",
        "endswith",
        "lower",
        "upper",
        "strip",
        "count",
        "index",
        "isdigit",
    }
)
MAX_LENGTH = 2000
MAX_SEQUENCE = 10_000  # refuse building huge literals / repetitions

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}
_UNARY: dict[type, Callable[[Any], Any]] = {
    ast.Not: operator.not_,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}

_JUEL = re.compile(r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(&&)|(\|\|)|(!(?!=))""")


# ``${...}`` inside a longer text (``${dept}:approver``); the group is the expression.
PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


def normalize(expression: str) -> str:
    """Strip Camunda's ``${...}`` and translate JUEL ``&&``/``||``/``!`` outside strings."""
    text = (expression or "").strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()

    def swap(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(1)
        if match.group(2):
            return " and "
        if match.group(3):
            return " or "
        return " not "

    return _JUEL.sub(swap, text).strip()


def parse(expression: str) -> ast.Expression:
    """Parse and check an expression; raise :class:`UnsafeExpression` if it is not allowed."""
    text = normalize(expression)
    if not text:
        raise UnsafeExpression("空表达式")
    if len(text) > MAX_LENGTH:
        raise UnsafeExpression("表达式过长")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise UnsafeExpression(f"语法错误：{exc.msg}") from exc
    _check(tree)
    return tree


def names(expression: str) -> set[str]:
    """The process variables an expression reads: its names, without the functions it calls
    and the constants (``true``, ``None``…). Raises :class:`UnsafeExpression` like
    :func:`parse`."""
    tree = parse(expression)
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name)
        and id(node) not in called
        and node.id not in CONSTANTS
        and node.id not in SAFE_FUNCTIONS
    }


def check(expression: str) -> str | None:
    """Return a (Chinese) reason why the expression is refused, or None if it is fine."""
    try:
        parse(expression)
    except UnsafeExpression as exc:
        return str(exc)
    return None


_ALLOWED_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Attribute,
    ast.Subscript,
    ast.Slice,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Set,
    *_BINOPS,
    *_CMPOPS,
    *_UNARY,
)


def _check(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise UnsafeExpression(f"不允许使用 {type(node).__name__}")
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise UnsafeExpression(f"不允许使用名称 {node.id}")
        if isinstance(node, ast.Attribute) and (
            node.attr.startswith("_") or node.attr not in SAFE_METHODS
        ):
            raise UnsafeExpression(f"不允许访问属性 {node.attr}")
        if isinstance(node, ast.Attribute) and not _is_called(tree, node):
            raise UnsafeExpression(f"属性 {node.attr} 只能作为方法调用")
        if isinstance(node, ast.Call) and node.keywords:
            raise UnsafeExpression("不允许使用关键字参数")
        if isinstance(node, ast.Call) and not isinstance(node.func, ast.Name | ast.Attribute):
            raise UnsafeExpression("只能调用允许的函数")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and (node.func.id not in SAFE_FUNCTIONS)
        ):
            raise UnsafeExpression(f"不允许调用 {node.func.id}")


def _is_called(tree: ast.AST, attribute: ast.Attribute) -> bool:
    return any(isinstance(n, ast.Call) and n.func is attribute for n in ast.walk(tree))


@functools.lru_cache(maxsize=4096)
def _checked(expression: str) -> ast.Expression:
    """The parsed and checked tree of an expression, kept: a rule swept over a million
    residents, or a gateway taken by every case, is parsed once, not once per person. The
    evaluator only reads the tree. A refused expression is not kept (it raises again)."""
    return parse(expression)


def evaluate(expression: str, variables: Mapping[str, Any]) -> Any:
    """Evaluate a safe expression against process variables."""
    return _Evaluator(variables).visit(_checked(expression).body)


class _Evaluator:
    def __init__(self, variables: Mapping[str, Any]) -> None:
        self.variables = variables

    def visit(self, node: ast.AST) -> Any:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise UnsafeExpression(f"不允许使用 {type(node).__name__}")
        return method(node)

    def visit_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in self.variables:
            return self.variables[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in SAFE_FUNCTIONS:
            return SAFE_FUNCTIONS[node.id]
        raise NameError(f"未定义的变量 {node.id}")

    def visit_BoolOp(self, node: ast.BoolOp) -> Any:
        value: Any = None
        for operand in node.values:
            value = self.visit(operand)
            if isinstance(node.op, ast.And) and not value:
                return value
            if isinstance(node.op, ast.Or) and value:
                return value
        return value

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        if isinstance(node.op, ast.Mult) and (
            isinstance(left, str | list | tuple) or isinstance(right, str | list | tuple)
        ):
            count = right if isinstance(left, str | list | tuple) else left
            if not isinstance(count, int) or count > MAX_SEQUENCE:
                raise UnsafeExpression("重复次数过大")
        return _BINOPS[type(node.op)](left, right)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        return _UNARY[type(node.op)](self.visit(node.operand))

    def visit_Compare(self, node: ast.Compare) -> Any:
        left = self.visit(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.visit(comparator)
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        return True

    def visit_IfExp(self, node: ast.IfExp) -> Any:
        return self.visit(node.body) if self.visit(node.test) else self.visit(node.orelse)

    def visit_Call(self, node: ast.Call) -> Any:
        if isinstance(node.func, ast.Attribute):
            target = self.visit(node.func.value)
            if not isinstance(target, str | dict | list | tuple):
                raise UnsafeExpression(f"不允许在此对象上调用 {node.func.attr}")
            func = getattr(target, node.func.attr, None)
            if func is None:
                raise UnsafeExpression(f"不允许调用 {node.func.attr}")
        else:
            func = SAFE_FUNCTIONS[node.func.id]  # type: ignore[attr-defined]
        args = [self.visit(arg) for arg in node.args]
        for arg in args:
            if isinstance(arg, range) or (hasattr(arg, "__len__") and len(arg) > MAX_SEQUENCE):
                raise UnsafeExpression("参数过大")
        return func(*args)

    def visit_Attribute(self, node: ast.Attribute) -> Any:  # only reached via visit_Call
        raise UnsafeExpression(f"属性 {node.attr} 只能作为方法调用")

    def visit_Subscript(self, node: ast.Subscript) -> Any:
        return self.visit(node.value)[self.visit(node.slice)]

    def visit_Slice(self, node: ast.Slice) -> Any:
        return slice(
            self.visit(node.lower) if node.lower else None,
            self.visit(node.upper) if node.upper else None,
            self.visit(node.step) if node.step else None,
        )

    def visit_List(self, node: ast.List) -> Any:
        return [self.visit(e) for e in node.elts]

    def visit_Tuple(self, node: ast.Tuple) -> Any:
        return tuple(self.visit(e) for e in node.elts)

    def visit_Set(self, node: ast.Set) -> Any:
        return {self.visit(e) for e in node.elts}

    def visit_Dict(self, node: ast.Dict) -> Any:
        return {
            self.visit(k) if k is not None else None: self.visit(v)
            for k, v in zip(node.keys, node.values, strict=True)
        }


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Spiff script environment that only evaluates safe expressions and runs no scripts."""

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: dict[str, Any] | None = None,
    ) -> Any:
        variables = dict(external_context or {})
        variables.update(context)
        return evaluate(expression, variables)

    def execute(
        self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> bool:
        raise UnsafeExpression("不支持脚本")

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise UnsafeExpression("服务任务由平台动作执行")


class SafeScriptEngine(PythonScriptEngine):
    """Script engine bound to one run: safe expressions plus the run's clock and calendar."""

    def __init__(self) -> None:
        super().__init__(environment=SafeEnvironment())
        self.now: Any = None
        self.fire_timers = False
        self.add_working_days: Callable[..., Any] | None = None
