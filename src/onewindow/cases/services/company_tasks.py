"""Tasks held by a company (``company:<question>`` in a process): a step the company the
applicant names must take in the applicant's case — the graduate's employer confirming that
it takes the graduate on (用人单位接收). The task goes to that company, not to a department:
its legal representative or an agent whose authorisation is in force sees it under 企业待办
and answers it from their own account. A company the platform does not know yet cannot
answer, so the step goes to the owning department's window clerks, as before."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.services import Actor, audit_record
from onewindow.cases import audit_events
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.services._common import (
    CaseFinished,
    TaskFinished,
    TaskNotFound,
    actor_for,
    event_row,
    lock_case_of_task,
)
from onewindow.cases.services.process import apply_run, enqueue_advance, process_context, restore
from onewindow.catalog.packages.process import company_group_question
from onewindow.core.errors import ValidationFailed

if TYPE_CHECKING:
    from onewindow.identity.models import User

COMPANY_ROLE = "company"  # the role code of a company's task: no staff member holds it
FALLBACK_ROLE = "window_clerk"
COMMENT_MAX = 1000


def company_task_holder(case: Case, group: str) -> Any | None:
    """The company a ``company:<question>`` group names on this case's form (None: not a
    company group, or a company the platform does not know)."""
    from onewindow.identity.selectors import company_get_by_uscc

    question = company_group_question(group)
    if question is None:
        return None
    uscc = str((case.form_data or {}).get(question) or "").strip()
    return company_get_by_uscc(uscc=uscc) if uscc else None


def company_task_target(case: Case, group: str) -> tuple[Any | None, str]:
    """(the company holding the task, the role code) for a company group."""
    company = company_task_holder(case, group)
    return company, (COMPANY_ROLE if company is not None else FALLBACK_ROLE)


def company_tasks_tell(case: Case, rows: list[CaseTask]) -> None:
    """Tell the people who may act for each holding company (message centre and SMS), in
    the caller's transaction."""
    from onewindow.identity.selectors import company_people_in_force
    from onewindow.notify.services import Recipient, notify_tell

    for row in rows:
        if row.company_id is None:
            continue
        for person in company_people_in_force(company_id=row.company_id):
            notify_tell(
                recipient=Recipient(user_id=person.user_id, phone=person.phone or ""),
                template="notice",
                params={
                    "text": _(
                        "%(company)s有一项待办：%(step)s（%(service)s，办件编号%(number)s）。"
                        "请登录一网通办，在“我的企业 → 企业待办”中办理。"
                    )
                    % {
                        "company": row.company.name if row.company else "",
                        "step": row.name,
                        "service": case.service_version.service.name,
                        "number": case.number or "",
                    }
                },
                kind="company_task",
                source_key=f"company-task:{row.pk}:person-{person.pk}",
                link=reverse("cases:company_task", kwargs={"task_id": row.pk}),
            )


def _may_act(user: User, task: CaseTask) -> bool:
    from onewindow.identity.selectors import company_ids_for_person, person_for_user

    person = person_for_user(user)
    return (
        task.company_id is not None
        and person is not None
        and task.company_id in company_ids_for_person(person_id=person.pk)
    )


@transaction.atomic(durable=True)
def company_task_complete(
    *,
    user: User,
    task_id: int,
    decision: str,
    comment: str = "",
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> CaseTask:
    """The company's answer: ``approve`` (e.g. 同意接收) or ``reject`` with a reason. Only its
    legal representative or an agent in force may answer; anyone else gets "not found"."""
    from onewindow.cases.services.tasks import _engine_complete, task_completed_record

    if decision not in {"approve", "reject"}:
        raise ValidationFailed(_("请选择办理结果。"), code="invalid_decision", field="decision")
    case = lock_case_of_task(task_id)
    if case is None:
        raise TaskNotFound()
    task = CaseTask.objects.select_related("company", "department").get(pk=task_id)
    if not _may_act(user, task):
        raise TaskNotFound()
    if not case.is_open:
        raise CaseFinished()
    if task.status != CaseTask.Status.OPEN:
        raise TaskFinished()
    text = (comment or "").strip()
    if decision == "reject" and not text:
        raise ValidationFailed(
            gettext_lazy("请填写不同意的理由。"), code="required", field="comment"
        )
    if len(text) > COMMENT_MAX:
        raise ValidationFailed(
            _("意见不能超过 %(n)s 个字。") % {"n": COMMENT_MAX}, code="too_long", field="comment"
        )
    now = now or timezone.now()
    run = restore(case)
    _engine_complete(run, task, decision, text, {}, now=now, context=process_context(case))
    also = task_completed_record(
        case, task, user=user, decision=decision, text=text, findings={}, now=now
    )
    company = task.company.name if task.company else ""
    message = (
        _("%(company)s 已确认：%(step)s") % {"company": company, "step": task.name}
        if decision == "approve"
        else _("%(company)s 不同意（%(step)s）：%(reason)s")
        % {"company": company, "step": task.name, "reason": text}
    )
    done = event_row(
        case,
        "task_approved" if decision == "approve" else "task_rejected",
        user=user,
        actor_label=company,
        task=task,
        message=message,
        data={"decision": decision, "comment": text, "company": task.company_id},
        at=now,
    )
    apply_run(case, run, now=now, also=also, events=[done])
    audit_record(
        actor=actor_for(user, actor),
        action=audit_events.COMPANY_TASK_APPROVE
        if decision == "approve"
        else audit_events.COMPANY_TASK_REJECT,
        target=task,
        changes={"case": case.number, "company": task.company_id, "status": case.status},
    )
    if not case.is_concluded:
        enqueue_advance(case)
    return task
