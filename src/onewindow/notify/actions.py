"""The ``notify.send`` action: a BPMN service task that tells the case's applicant something.

Parameters (``camunda:inputParameter``):

- ``template``: a template of :mod:`onewindow.notify.messages`, with its parameters as further
  input parameters; ``service`` and ``number`` (the case's) are filled in, and ``reason`` of a
  rejection from the case's recorded reason (or the process variable ``reason``);
- or ``text``: a free message (template ``notice``);
- ``to`` (optional): ``applicant`` (the default), or a candidate group of the process (a role
  name of the package's ``roles:``, or ``<department>:<role>``) to tell the staff holding that
  role in that department or above, in the message centre.

Idempotent on the action's key: the engine retries a failed step with the same key, and the
same key never writes or sends twice. An outcome template (``case_approved``,
``case_rejected``, ``case_withdrawn``) to the applicant shares its key with the platform's own
conclusion message, so the applicant hears of the outcome once."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from onewindow.core.text import zh_text
from onewindow.identity import selectors as identity
from onewindow.notify import _cases
from onewindow.notify.case_news import (
    NO_REASON,
    OUTCOME_TEMPLATES,
    applicant_recipient,
    outcome_key,
    resident_link,
    staff_link,
)
from onewindow.notify.messages import template_params
from onewindow.notify.services import Recipient, notify_tell
from onewindow.workflow import ActionContext

ACTION = "notify.send"
RESERVED = {"template", "text", "to"}
KIND_OF = {template: "concluded" for template in OUTCOME_TEMPLATES.values()} | {
    "sla_escalation": "escalated"
}


def _message(ctx: ActionContext, facts: _cases.CaseFacts) -> tuple[str, dict[str, Any]]:
    template = str(ctx.params.get("template") or "").strip()
    text = str(ctx.params.get("text") or "").strip()
    if not template:
        if not text:
            raise ValueError("notify.send needs a template or a text parameter")
        return "notice", {"text": text}
    needed = template_params(template)  # UnknownTemplate for a template that does not exist
    params: dict[str, Any] = {"service": facts.service_name, "number": facts.number}
    if "reason" in needed:
        reason = facts.outcome_note or zh_text(ctx.data.get("reason"))
        params["reason"] = reason.strip() or NO_REASON
    params |= {k: v for k, v in ctx.params.items() if k not in RESERVED and v is not None}
    missing = needed - set(params)
    if missing:
        raise ValueError(f"notify.send: template {template!r} needs {sorted(missing)}")
    return template, {name: params[name] for name in needed}


def notify_send(ctx: ActionContext) -> dict[str, Any]:
    case_id = ctx.context.get("case_id")
    if not isinstance(case_id, int) or isinstance(case_id, bool):
        return {"notified": False}  # the engine run without a case: nobody to tell
    with transaction.atomic():  # a failure leaves nothing behind for the retry to trip on
        facts = _cases.case_facts(case_id)
        if facts is None:
            raise LookupError(f"notify.send: no case {case_id}")
        template, params = _message(ctx, facts)
        to = str(ctx.params.get("to") or "applicant").strip()
        key = f"{ACTION}:{ctx.key}"
        if to == "applicant":
            recipient = applicant_recipient(
                person_id=facts.applicant_person_id,
                company_id=facts.applicant_company_id,
                user_id=facts.created_by_id,
            )
            recipients = [recipient] if recipient is not None else []
            link = resident_link(facts.number)
            if template in OUTCOME_TEMPLATES.values():
                key = outcome_key(case_id)
        else:
            target = _cases.group_target(case_id, to)
            if target is None:
                raise ValueError(f"notify.send: {to!r} is no candidate group of the process")
            department, role = target
            recipients = [
                Recipient(user_id=user_id)
                for user_id in identity.staff_user_ids_in_department_chain(
                    department_code=department, role_code=role
                )
            ]
            link = staff_link(facts.number, None)
        for recipient in recipients:
            notify_tell(
                recipient=recipient,
                template=template,
                params=params,
                kind=KIND_OF.get(template, "notice"),
                source_key=key,
                link=link,
            )
    return {"notified": True}
