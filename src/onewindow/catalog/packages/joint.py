"""Checks of what a joint application declares (a marriage): who must come to the counter
(``appointment.attend``) and the tasks done with them present (``appointment.in_person``),
joint parties (``parties[].joint``) and the licence copies they hold (``outcome.copies``),
and decision-table inputs that read a party's record (``subject``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _

APPLICANT = "applicant"


def _parties(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {
        str(item.get("code")): item
        for item in data.get("parties") or []
        if isinstance(item, Mapping) and item.get("code")
    }


def joint_problems(
    data: Mapping[str, Any],
    *,
    user_tasks: Mapping[str, Any] | None,
    add: Callable[[tuple[str | int, ...], str], None],
) -> None:
    """``user_tasks``: the process's user tasks by id (None when there is no process yet)."""
    parties = _parties(data)
    appointment = data.get("appointment")
    if isinstance(appointment, Mapping):
        for index, code in enumerate(appointment.get("attend") or []):
            if code != APPLICANT and code not in parties:
                add(
                    ("appointment", "attend", index),
                    _("%(code)s 不是 applicant，也不是 parties 中声明的相关人。") % {"code": code},
                )
        for index, task in enumerate(appointment.get("in_person") or []):
            if user_tasks is not None and task not in user_tasks:
                add(
                    ("appointment", "in_person", index),
                    _("%(task)s 不是流程中的用户任务。") % {"task": task},
                )
    for index, item in enumerate(data.get("parties") or []):
        if isinstance(item, Mapping) and item.get("joint") and not item.get("lookups"):
            add(
                ("parties", index, "joint"),
                _("共同申请人须先同意（lookups 中至少写明一项查询），才能看到办件、持有证照。"),
            )
    outcome = data.get("outcome")
    copies = outcome.get("copies") if isinstance(outcome, Mapping) else None
    for code in copies or {}:
        if not (parties.get(code) or {}).get("joint"):
            add(
                ("outcome", "copies", code),
                _("%(code)s 不是 parties 中 joint: true 的共同申请人。") % {"code": code},
            )
    for name, table in (data.get("decisions") or {}).items():
        for index, column in enumerate((table or {}).get("inputs") or []):
            subject = column.get("subject") if isinstance(column, Mapping) else None
            if subject is None or subject == APPLICANT:
                continue
            resource = str(column.get("from") or "").removeprefix("exchange:").strip()
            lookups = (parties.get(str(subject)) or {}).get("lookups") or []
            if resource not in lookups:
                add(
                    ("decisions", name, "inputs", index, "subject"),
                    _("相关人 %(subject)s 未在 parties 的 lookups 中声明查询 %(resource)s。")
                    % {"subject": subject, "resource": resource or "—"},
                )
