"""A case in its chain: ``{% case_issued_licences case %}`` (on a task page, the licences the
case has issued so far: the police see the permit the bureau just issued) and
``{% case_next_steps case %}`` (on an approved case's page, the services that follow it,
``next:`` in its package, started with the case's answers carried over)."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from onewindow.cases.models import Case
from onewindow.catalog.packages.repeat import next_steps
from onewindow.licences.selectors import (
    licence_check,
    licence_claim_lines,
    licence_result_label,
    licences_issued_by_case,
)

register = template.Library()


@register.inclusion_tag("cases/partials/issued_licences.html")
def case_issued_licences(case: Case) -> dict[str, Any]:
    rows = []
    for licence in licences_issued_by_case(case_id=case.pk):
        result = licence_check(licence=licence).result
        rows.append(
            {
                "licence": licence,
                "issued_on": timezone.localdate(licence.issued_at),
                "valid_until": timezone.localdate(licence.valid_until)
                if licence.valid_until
                else None,
                "result": result,
                "label": licence_result_label(result),
                "lines": licence_claim_lines(licence, holder=False),
                "verify_url": reverse("licences:verify") + f"?id={licence.credential_id}",
            }
        )
    return {"rows": rows}


@register.inclusion_tag("cases/partials/next_steps.html", takes_context=True)
def case_next_steps(context: template.Context, case: Case) -> dict[str, Any]:
    from onewindow.cases.services.chain import next_services

    steps = []
    if case.status == Case.Status.APPROVED:
        offered = next_services(
            codes=[str(s["service"]) for s in next_steps(case.service_version.definition)]
        )
        for step in next_steps(case.service_version.definition):
            service = offered.get(str(step["service"]))
            if service is None:
                continue
            why = step.get("why") or {}
            steps.append({"service": service, "why": why.get("zh") or why.get("en") or ""})
    return {"case": case, "steps": steps, "csrf_token": context.get("csrf_token")}


@register.filter
def branches_heading(branches: list[Any]) -> str:
    """The progress section's heading as the process ran: 各部门并联审批 only when tasks of
    two departments were open at the same time, 各部门依次办理 for departments one after
    another, else 审批进度."""
    from django.utils.translation import gettext as _

    if len(branches) < 2:
        return _("审批进度")
    spans = [
        (index, task.created_at, task.completed_at)
        for index, branch in enumerate(branches)
        for task in branch.steps
        if task.status != "cancelled" and task.created_at is not None
    ]
    for index, start, end in spans:
        for other, other_start, other_end in spans:
            if other == index:
                continue
            if (other_end is None or start < other_end) and (end is None or other_start < end):
                return _("各部门并联审批")
    return _("各部门依次办理")


_EARLIER_LINK = re.compile(r"(/cases/\d{8,32}/|/licences/#licence-[A-Za-z0-9-]+)")


@register.filter
def earlier_links(message: str) -> str:
    """A refusal naming an earlier case or a licence (``repeat_selectors``) with its path
    made a link; everything else escaped."""
    parts = _EARLIER_LINK.split(str(message))
    return mark_safe(  # noqa: S308 — every part is escaped, the links are our own paths
        "".join(
            format_html('<a href="{}">{}</a>', part, part) if index % 2 else escape(part)
            for index, part in enumerate(parts)
        )
    )
