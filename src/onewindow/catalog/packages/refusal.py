"""A service whose process refuses by itself — a decision table (``decisions.evaluate``)
decides and nobody writes the refusal — must name, in ``refusal:``, where the applicant can
seek a remedy: the administrative reconsideration body (``reconsideration``) and the court
(``court``). The refusal letter tells the applicant both (行政许可法第三十八条); services
refused by a department's decision fall back to the people's government at the issuing
department's level and 有管辖权的人民法院 (``cases.letters``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onewindow.catalog.packages.decisions import DECISION_ACTION

REMEDIES = {"reconsideration": gettext_noop("行政复议机关"), "court": gettext_noop("管辖法院")}


def refusal_problems(
    data: Mapping[str, Any],
    process_spec: Mapping[str, Any],
    *,
    add: Callable[[tuple[str | int, ...], str], None],
) -> None:
    service_tasks = process_spec.get("service_tasks") or {}
    if not any(info.get("action") == DECISION_ACTION for info in service_tasks.values()):
        return
    refusal = data.get("refusal")
    given = refusal if isinstance(refusal, Mapping) else {}
    missing = [key for key in REMEDIES if not given.get(key)]
    if not missing:
        return
    add(
        ("refusal",) if "refusal" in data else ("outcome",) if "outcome" in data else (),
        _(
            "流程由决策表自动作出不予决定，须在 refusal 中写明%(what)s，"
            "不予决定书据此告知申请人救济途径。"
        )
        % {"what": "、".join(f"{_(REMEDIES[key])}（{key}）" for key in missing)},
    )
