"""Named platform actions that BPMN service tasks call (``camunda:topic``).

A service task is run only by :meth:`ProcessRun.advance` (a worker, never a user's request).
The action receives an :class:`ActionContext` and returns a dict that is merged into the
process variables. If it raises, the run stays at the service task and ``advance`` reports
``action_failed:<element id>``; the next ``advance`` retries with the same ``key`` so the
provider behind the action can make the call idempotent.

The engine knows no action itself but its own decision tables (``decisions.evaluate``): each
app that does the work registers its actions through :func:`register_action` from its
``AppConfig.ready()`` (``exchange.lookup``, ``payments.create_order``, ``licences.issue``,
``delivery.ship``, ``notify.send`` …).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
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
# What an action sets may depend on the task's literal parameters (``exchange.lookup`` of
# ``resource=X`` also sets ``exchange_variable(X)``); None: not known from the parameters.
OutputsFn = Callable[[Mapping[str, str]], Iterable[str] | None]
_REGISTRY: dict[str, ActionFn] = {}
_OUTPUTS: dict[str, frozenset[str] | OutputsFn | None] = {}


def register_action(
    name: str, fn: ActionFn, *, outputs: Iterable[str] | OutputsFn | None = None
) -> None:
    """Register (or replace) the action run for ``camunda:topic="<name>"``.

    ``outputs``: the process variables the action sets (the keys of the dict it returns),
    or a function of the service task's literal ``camunda:inputParameter`` values that
    returns them. The validator then knows what a condition after the service task may
    read; without them any variable may be set after it."""
    if not name or not callable(fn):
        raise ValueError("an action needs a name and a callable")
    _REGISTRY[name] = fn
    _OUTPUTS[name] = outputs if callable(outputs) or outputs is None else frozenset(outputs)


def action_outputs(name: str, params: Mapping[str, str] | None = None) -> frozenset[str] | None:
    """The variables action ``name`` declares it sets, given the task's literal parameters
    (None: not declared, unknown, or not known from these parameters)."""
    declared = _OUTPUTS.get(name)
    if callable(declared):
        found = declared(params or {})
        return None if found is None else frozenset(found)
    return declared


def registered_actions() -> set[str]:
    return set(_REGISTRY)


def get_action(name: str) -> ActionFn:
    return _REGISTRY[name]


def exchange_variable(resource_code: str) -> str:
    """The process variable an ``exchange.lookup`` of ``resource_code`` fills
    (``gz-mzj.income-assets`` → ``exchange_gz_mzj_income_assets``): a mapping of subject
    (``applicant``, ``partner``) to the record's fields, or to None where there is no record."""
    return "exchange_" + re.sub(r"[^a-z0-9]+", "_", resource_code.lower()).strip("_")
