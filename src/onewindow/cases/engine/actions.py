"""Named platform actions that BPMN service tasks call (``camunda:topic``).

A service task is run only by :meth:`ProcessRun.advance` (a worker, never a user's request).
The action receives an :class:`ActionContext` and returns a dict that is merged into the
process variables. If it raises, the run stays at the service task and ``advance`` reports
``action_failed:<element id>``; the next ``advance`` retries with the same ``key`` so the
provider behind the action can make the call idempotent.

The built-in actions call the apps that do the work; an app can also plug its own in through
:func:`register_action` from its ``AppConfig.ready()`` (``notify.send`` comes from the
notification service that way).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class ActionContext:
    action: str
    key: str  # stable per case + element + instance: use it as an idempotency key
    element_id: str
    params: dict[str, Any]  # camunda:inputParameter values, evaluated
    data: dict[str, Any]  # process variables (a copy)
    context: dict[str, Any] = field(default_factory=dict)  # what the caller passed to advance


class Action(Protocol):
    name: str

    def __call__(self, ctx: ActionContext) -> dict[str, Any]: ...


ActionFn = Callable[[ActionContext], dict[str, Any]]
_REGISTRY: dict[str, ActionFn] = {}
_OUTPUTS: dict[str, frozenset[str] | None] = {}


def register_action(name: str, fn: ActionFn, *, outputs: Iterable[str] | None = None) -> None:
    """Register (or replace) the action run for ``camunda:topic="<name>"``.

    ``outputs``: the process variables the action sets (the keys of the dict it returns).
    The validator then knows what a condition after the service task may read; without
    them any variable may be set after it."""
    if not name or not callable(fn):
        raise ValueError("an action needs a name and a callable")
    _REGISTRY[name] = fn
    _OUTPUTS[name] = frozenset(outputs) if outputs is not None else None


def action_outputs(name: str) -> frozenset[str] | None:
    """The variables action ``name`` declares it sets (None: not declared, or unknown)."""
    return _OUTPUTS.get(name)


def registered_actions() -> set[str]:
    return set(_REGISTRY)


def get_action(name: str) -> ActionFn:
    return _REGISTRY[name]


def exchange_variable(resource_code: str) -> str:
    """The process variable an ``exchange.lookup`` of ``resource_code`` fills
    (``gz-mzj.income-assets`` → ``exchange_gz_mzj_income_assets``): a mapping of subject
    (``applicant``, ``partner``) to the record's fields, or to None where there is no record."""
    return "exchange_" + re.sub(r"[^a-z0-9]+", "_", resource_code.lower()).strip("_")


def _exchange_lookup(ctx: ActionContext) -> dict[str, Any]:
    from onewindow.exchange.lookup import lookup_from_case

    return lookup_from_case(ctx)


def _create_order(ctx: ActionContext) -> dict[str, Any]:
    from onewindow.payments.actions import create_order

    return create_order(ctx)


def _issue_licence(ctx: ActionContext) -> dict[str, Any]:
    from onewindow.licences.actions import issue_from_case

    return issue_from_case(ctx)


def _ship(ctx: ActionContext) -> dict[str, Any]:
    from onewindow.delivery.actions import ship_from_case

    return ship_from_case(ctx)


BUILT_IN: dict[str, ActionFn] = {
    "exchange.lookup": _exchange_lookup,
    "payments.create_order": _create_order,
    "licences.issue": _issue_licence,
    "delivery.ship": _ship,
}
BUILT_IN_OUTPUTS: dict[str, tuple[str, ...]] = {
    "exchange.lookup": ("exchange",),  # and exchange_variable(resource), known per task
    "payments.create_order": ("payment", "paid"),
    "licences.issue": ("licence",),
    "delivery.ship": ("delivery",),
}
for _name, _fn in BUILT_IN.items():
    register_action(_name, _fn, outputs=BUILT_IN_OUTPUTS.get(_name))

# Decision tables register ``decisions.evaluate`` (imported here so every user of the
# registry sees it; the module needs the names above).
from . import decisions  # noqa: E402, F401
