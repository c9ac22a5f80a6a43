"""The stand-ins of a trial (``service_try``): sample form answers made from a JSON Schema,
fake actions that return plausible results without the database (decision tables run for
real), and the working-day calendar with a Monday–Friday fallback."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from onewindow.catalog.trialtypes import TABLE_ACTION
from onewindow.core.calendar import add_working_days
from onewindow.core.identifiers import citizen_id_make, uscc_make
from onewindow.workflow import ActionContext
from onewindow.workflow.actions import exchange_variable
from onewindow.workflow.decisions import DecisionError, table_evaluate


# -- sample answers ---------------------------------------------------------------------------
def trial_answers_sample(schema: Mapping[str, Any]) -> dict[str, Any]:
    """An answer for every question of a form (JSON Schema object): its default or first
    example, the first choice, the minimum, a valid ID number, phone, date…"""
    properties = schema.get("properties") or {}
    return {name: _sample(prop) for name, prop in properties.items() if isinstance(prop, Mapping)}


def _sample(prop: Mapping[str, Any]) -> Any:
    if "const" in prop:
        return prop["const"]
    if "default" in prop:
        return prop["default"]
    if isinstance(prop.get("examples"), list) and prop["examples"]:
        return prop["examples"][0]
    if isinstance(prop.get("enum"), list) and prop["enum"]:
        return prop["enum"][0]
    options = prop.get("oneOf") or prop.get("anyOf")
    if isinstance(options, list):
        for option in options:
            if isinstance(option, Mapping) and "const" in option:
                return option["const"]
    kind, fmt = prop.get("type"), prop.get("format")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        low = prop.get("minimum", prop.get("exclusiveMinimum", 0))
        value = max(low + (1 if "exclusiveMinimum" in prop else 0), 1)
        return int(value) if kind == "integer" else value
    if kind == "array":
        raw = prop.get("items")
        items: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        options = items.get("oneOf") or items.get("anyOf")
        choices = items.get("enum") if isinstance(items.get("enum"), list) else None
        if choices is None and isinstance(options, list):
            choices = [o["const"] for o in options if isinstance(o, Mapping) and "const" in o]
        if choices:
            return list(choices)[: prop.get("maxItems") or len(choices)]
        return [_sample(items)] * max(int(prop.get("minItems", 1)), 1)
    if kind == "object":
        return trial_answers_sample(prop)
    return _sample_text(fmt, prop)


def _sample_text(fmt: Any, prop: Mapping[str, Any]) -> str:
    if fmt == "citizen-id":
        return citizen_id_make("440106", datetime.date(1990, 5, 4), 123)
    if fmt == "uscc":
        return uscc_make("91440101MA0000001")
    if fmt == "phone":
        return "13800138000"
    if fmt == "date":
        return "2025-03-03"
    if fmt == "date-time":
        return "2025-03-03T09:00:00+08:00"
    if fmt == "email":
        return "applicant@example.cn"
    text = "示例" * max(1, int(prop.get("minLength", 2)) // 2 + 1)
    return text[: int(prop.get("maxLength", 50))]


# -- fake actions -----------------------------------------------------------------------------
def _fake_lookup(records: Mapping[str, Any]) -> Callable[[ActionContext], dict[str, Any]]:
    """Looked-up records come from ``records`` (resource → the applicant's record, or None
    for "no record"); a resource not given has nothing to add, so decision tables take the
    form's answers and their defaults."""

    def lookup(ctx: ActionContext) -> dict[str, Any]:
        resource = str(ctx.params.get("resource", ""))
        variable = exchange_variable(resource)
        reference = f"EX-TRIAL-{ctx.element_id}"
        if resource not in records:
            return {
                "exchange": {"resource": resource, "found": False, "reference": ""},
                variable: {},
            }
        record = records[resource]
        found = (
            dict(record)
            if isinstance(record, Mapping) and set(record) & {"applicant", "partner"}
            else {"applicant": dict(record) if isinstance(record, Mapping) else None}
        )
        hit = any(value for value in found.values())
        return {
            "exchange": {"resource": resource, "found": hit, "reference": reference if hit else ""},
            variable: found,
        }

    return lookup


def _fake_order(paid: bool) -> Callable[[ActionContext], dict[str, Any]]:
    def order(ctx: ActionContext) -> dict[str, Any]:
        fee = str(ctx.params.get("fee") or "")
        return {
            "payment": {
                "order_no": f"PAY-TRIAL-{ctx.element_id}",
                "amount": str(ctx.params.get("amount") or "0.00"),
                "status": "paid" if paid else "created",
                "fee": fee,
            },
            "paid": paid,
        }

    return order


def _fake_licence(ctx: ActionContext) -> dict[str, Any]:
    return {
        "licence": {
            "licence_type": str(ctx.params.get("licence_type") or ""),
            "number": f"TRIAL-{ctx.element_id}",
            "credential_id": f"urn:trial:{ctx.element_id}",
            "status": "issued",
        }
    }


def _fake_ship(ctx: ActionContext) -> dict[str, Any]:
    return {"delivery": {"tracking_no": f"SF-TRIAL-{ctx.element_id}", "status": "shipped"}}


def _table(ctx: ActionContext) -> dict[str, Any]:
    """``decisions.evaluate`` for real: the package's own table."""
    name = str(ctx.params.get("table") or "")
    tables = ctx.context.get("decisions") or {}
    if name not in tables:
        raise DecisionError(
            _("找不到决策表“{name}”；服务包中有：{known}").format(
                name=name, known="、".join(sorted(tables)) or "—"
            )
        )
    return table_evaluate(tables[name], ctx.data, name=name)


def fake_actions(
    records: Mapping[str, Any],
) -> dict[str, Callable[[ActionContext], dict[str, Any]]]:
    return {
        "exchange.lookup": _fake_lookup(records),
        "payments.create_order": _fake_order(False),
        "payments.await": _fake_order(True),
        "licences.issue": _fake_licence,
        "notify.send": lambda ctx: {"notified": True},
        "delivery.ship": _fake_ship,
        TABLE_ACTION: _table,
    }


def working_days(start: datetime.date, n: int) -> datetime.date:
    return add_working_days(start, n, estimate=True)  # past the holiday data: Monday–Friday
