"""The ``notify.send`` action: a BPMN service task that tells the case's applicant something.

It lives with the case's other messages (``cases.notifications``): telling a case's
applicant or the staff holding one of its process's roles needs the case, the
department's role holders (identity) and the message centre (notify), and only the cases
app stands above all three. The notification service itself sends and stores.

Parameters (``camunda:inputParameter``):

- ``template``: a template of :mod:`onewindow.notify.messages`, with its parameters as further
  input parameters; ``service`` and ``number`` (the case's) are filled in, and ``reason`` of a
  rejection from the case's recorded reason (or the process variable ``reason``);
- or ``text``: a free message (template ``notice``);
- ``to`` (optional): ``applicant`` (the default), or a candidate group of the process (a role
  name of the package's ``roles:``, or ``<department>:<role>``) to tell the staff holding that
  role in that department or above, in the message centre.

The case is the engine context's ``CaseRef`` (``ctx.context["case"]``) and the package's role
names its ``roles``; the action reads no case row.

Idempotent on the action's key: the engine retries a failed step with the same key, and the
same key never writes or sends twice. An outcome template (``case_approved``,
``case_rejected``, ``case_withdrawn``) to the applicant shares its key with the platform's own
conclusion message, so the applicant hears of the outcome once."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from onewindow.cases.notifications import applicant_recipient, resident_link, staff_link
from onewindow.catalog.selectors import candidate_group_target
from onewindow.core.refs import CaseRef
from onewindow.core.text import zh_text
from onewindow.identity import selectors as identity
from onewindow.notify.messages import NO_REASON, OUTCOME_TEMPLATES, template_params
from onewindow.notify.services import Recipient, notify_tell, outcome_key
from onewindow.workflow import ActionContext

ACTION = "notify.send"
RESERVED = {"template", "text", "to"}
KIND_OF = {template: "concluded" for template in OUTCOME_TEMPLATES.values()} | {
    "sla_escalation": "escalated"
}


def _message(ctx: ActionContext, case: CaseRef) -> tuple[str, dict[str, Any]]:
    template = str(ctx.params.get("template") or "").strip()
    text = str(ctx.params.get("text") or "").strip()
    if not template:
        if not text:
            raise ValueError("notify.send needs a template or a text parameter")
        return "notice", {"text": text}
    needed = template_params(template)  # UnknownTemplate for a template that does not exist
    params: dict[str, Any] = {"service": case.service_name, "number": case.number}
    if "reason" in needed:
        reason = case.outcome_note or zh_text(ctx.data.get("reason"))
        params["reason"] = reason.strip() or NO_REASON
    params |= {k: v for k, v in ctx.params.items() if k not in RESERVED and v is not None}
    missing = needed - set(params)
    if missing:
        raise ValueError(f"notify.send: template {template!r} needs {sorted(missing)}")
    return template, {name: params[name] for name in needed}


def notify_send(ctx: ActionContext) -> dict[str, Any]:
    case = ctx.context.get("case")
    if not isinstance(case, CaseRef):
        return {"notified": False}  # the engine run without a case: nobody to tell
    with transaction.atomic():  # a failure leaves nothing behind for the retry to trip on
        template, params = _message(ctx, case)
        to = str(ctx.params.get("to") or "applicant").strip()
        key = f"{ACTION}:{ctx.key}"
        if to == "applicant":
            recipient = applicant_recipient(
                person_id=case.applicant_person_id,
                company_id=case.applicant_company_id,
                user_id=case.applicant_user_id,
            )
            recipients = [recipient] if recipient is not None else []
            link = resident_link(case.number)
            if template in OUTCOME_TEMPLATES.values():
                key = outcome_key(case.id)
        else:
            target = candidate_group_target(to, roles=ctx.context.get("roles") or {})
            if target is None:
                raise ValueError(f"notify.send: {to!r} is no candidate group of the process")
            department, role = target
            recipients = [
                Recipient(user_id=user_id)
                for user_id in identity.staff_user_ids_in_department_chain(
                    department_code=department, role_code=role
                )
            ]
            link = staff_link(case.number, None)
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
