"""What the platform tells people about a case, for every service (``cases.signals.case_news``,
connected in ``CasesConfig.ready``): the cases app composes each message from its own rows and
hands it to the notification service's front door (``notify.services.notify_tell``) to store
and send.

The applicant hears of the submission, a supplement request, each department's decision, a
fee to pay and the conclusion, by SMS and in the message centre. Escalations and stuck
cases go to staff instead: the task's holder (or, while nobody holds it, the holders of its
role in its department or above) and the supervisors of that department (a role granting
``cases.supervise_cases`` there or above), in the message centre only: staff records carry
no phone number.

Each message is keyed by what it is about (``case-news:<timeline row>``; the outcome of a
case by ``case:<id>:outcome``, shared with a process's own ``notify.send`` outcome step), so
news delivered twice tells nobody twice."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.urls import NoReverseMatch, reverse

from onewindow.audit.services import Actor, audit_record
from onewindow.cases import audit_events
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.party_selectors import joint_parties
from onewindow.cases.signals import (
    CONCLUDED,
    ESCALATED,
    PAYMENT_DUE,
    STUCK,
    SUBMITTED,
    SUPPLEMENT_REQUESTED,
    TASK_APPROVED,
    TASK_CANCELLED,
    TASK_REJECTED,
    CaseNews,
)
from onewindow.core.text import zh_text
from onewindow.identity import selectors as identity
from onewindow.notify.services import (
    NO_REASON,
    OUTCOME_TEMPLATES,
    Recipient,
    Told,
    notify_tell,
    outcome_key,
)

log = logging.getLogger(__name__)

SUPERVISE_PERMISSION = "cases.supervise_cases"
RESIDENT_KINDS = frozenset(
    {SUBMITTED, SUPPLEMENT_REQUESTED, TASK_APPROVED, TASK_REJECTED, PAYMENT_DUE, CONCLUDED}
)
STAFF_KINDS = frozenset({ESCALATED, STUCK, TASK_CANCELLED})


@dataclass(frozen=True)
class Outcome:
    messages: int = 0  # new in-app messages
    sms: int = 0  # new SMS rows


def news_key(news: CaseNews) -> str:
    if news.kind == CONCLUDED:
        return outcome_key(news.case_id)
    if news.event_id:
        return f"case-news:{news.event_id}"
    return f"case-news:{news.case_id}:{news.kind}:{news.task_id or ''}"


@dataclass(frozen=True)
class TaskFacts:
    task_id: int
    name: str
    department_code: str
    department_name: str
    role_code: str
    claimed_by_id: int | None
    active: bool


ACTIVE = {CaseTask.Status.OPEN, CaseTask.Status.CLAIMED, CaseTask.Status.WAITING}


def _task_values(tasks: Any) -> list[TaskFacts]:
    rows = tasks.values(
        "pk",
        "name",
        "department__code",
        "department__name",
        "role_code",
        "claimed_by_id",
        "status",
    )
    return [
        TaskFacts(
            task_id=row["pk"],
            name=row["name"],
            department_code=row["department__code"],
            department_name=row["department__name"],
            role_code=row["role_code"],
            claimed_by_id=row["claimed_by_id"],
            active=row["status"] in ACTIVE,
        )
        for row in rows
    ]


def task_facts(task_id: int) -> TaskFacts | None:
    found = _task_values(CaseTask.objects.filter(pk=task_id))
    return found[0] if found else None


def escalated_tasks(case_id: int) -> list[TaskFacts]:
    """The case's active tasks flagged as escalated (for news that names no task)."""
    rows = CaseTask.objects.filter(case_id=case_id, escalated=True).order_by("pk")
    return [task for task in _task_values(rows) if task.active]


def _outcome_note(case_id: int) -> str:
    note = Case.objects.filter(pk=case_id).values_list("outcome_note", flat=True).first()
    return note or ""


def _service_department(case_id: int) -> str:
    code = (
        Case.objects.filter(pk=case_id)
        .values_list("service_version__service__department__code", flat=True)
        .first()
    )
    return code or ""


def _link(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def resident_link(number: str) -> str:
    return _link("cases:case_detail", number=number) if number else ""


def staff_link(number: str, task_id: int | None) -> str:
    if task_id:
        return _link("cases:staff_task", task_id=task_id)
    return _link("cases:staff_case", number=number) if number else ""


def applicant_recipient(
    *, person_id: int | None, company_id: int | None, user_id: int | None
) -> Recipient | None:
    """Whom to tell about a case: the applicant person (their account, their phone); for a
    company's case, the agent who applied (the applying account's person)."""
    if company_id:
        person = identity.person_for_user_id(user_id=user_id) if user_id else None
        if person is None:
            return None
        return Recipient(user_id=user_id, phone=str(person.phone or ""))
    person = identity.person_get(pk=person_id) if person_id else None
    if person is None:
        return None
    return Recipient(user_id=person.user_id, phone=str(person.phone or ""))


def _reason(news: CaseNews) -> str:
    text = zh_text(news.data.get("comment")) or news.message
    return text.strip() or NO_REASON


def _amount(data: dict[str, Any]) -> str:
    """``15.00元`` from the news' ``amount`` (yuan) or ``amount_fen``; empty when it has none."""
    try:
        if data.get("amount") not in (None, ""):
            yuan = Decimal(str(data["amount"]))
        elif data.get("amount_fen") not in (None, ""):
            yuan = Decimal(int(data["amount_fen"])) / 100
        else:
            return ""
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{yuan.quantize(Decimal('0.01'))}元"


def _department_name(news: CaseNews) -> str:
    task = task_facts(news.task_id) if news.task_id else None
    return task.department_name if task is not None else news.department_code or "承办部门"


def resident_message(news: CaseNews) -> tuple[str, dict[str, str]] | None:
    """The template and parameters of what the applicant is told, or None."""
    params = {"service": news.service_name, "number": news.case_number}
    if news.kind == SUBMITTED:
        return "case_submitted", params
    if news.kind == SUPPLEMENT_REQUESTED:
        return "case_supplement", {**params, "reason": _reason(news)}
    if news.kind == TASK_APPROVED:
        return "case_task_approved", {**params, "department": _department_name(news)}
    if news.kind == TASK_REJECTED:
        department = _department_name(news)
        return "case_task_rejected", {**params, "department": department, "reason": _reason(news)}
    if news.kind == PAYMENT_DUE:
        return "case_payment_due", {**params, "amount": _amount(news.data)}
    if news.kind == CONCLUDED:
        template = OUTCOME_TEMPLATES.get(str(news.data.get("outcome") or ""))
        if template is None:
            return None
        if template == "case_rejected":
            reason = zh_text(news.data.get("reason"))
            if not reason:
                reason = _outcome_note(news.case_id)
            params["reason"] = reason.strip() or NO_REASON
        return template, params
    return None


def staff_recipients(
    *, department_code: str, task: TaskFacts | None, supervisors: bool = True
) -> list[Recipient]:
    """The task's holder, or the holders of its role while nobody holds it, and (unless
    ``supervisors`` is false) the supervisors of the department (or of one above it).
    In-app only: no staff phone."""
    user_ids: list[int] = []
    if task is not None:
        if task.claimed_by_id:
            user_ids.append(task.claimed_by_id)
        else:
            user_ids += identity.staff_user_ids_in_department_chain(
                department_code=task.department_code, role_code=task.role_code
            )
        department_code = task.department_code
    if department_code and supervisors:
        user_ids += identity.staff_user_ids_in_department_chain(
            department_code=department_code, permission=SUPERVISE_PERMISSION
        )
    return [Recipient(user_id=user_id) for user_id in dict.fromkeys(user_ids)]


def _tell_applicant(news: CaseNews) -> list[Told]:
    message = resident_message(news)
    if message is None:
        return []
    recipient = applicant_recipient(
        person_id=news.applicant_person_id,
        company_id=news.applicant_company_id,
        user_id=news.applicant_user_id,
    )
    if recipient is None:
        log.info("notify: case %s has nobody to tell about %s", news.case_number, news.kind)
        return []
    template, params = message
    return [
        notify_tell(
            recipient=recipient,
            template=template,
            params=params,
            kind=news.kind,
            source_key=news_key(news),
            link=resident_link(news.case_number),
        )
    ]


def _tell_joint(news: CaseNews) -> list[Told]:
    """A joint applicant who agreed (the other party of a marriage) hears the outcome too,
    with a link to the case as they see it."""
    message = resident_message(news)
    if message is None or news.kind != CONCLUDED:
        return []
    template, params = message
    return [
        notify_tell(
            recipient=Recipient(user_id=party.user_id, phone=party.phone),
            template=template,
            params=params,
            kind=news.kind,
            source_key=news_key(news),
            link=_link("cases:joint_case", number=news.case_number) if news.case_number else "",
        )
        for party in joint_parties(case_id=news.case_id)
    ]


def _tell_cancelled(news: CaseNews) -> list[Told]:
    """The holder of a task the process no longer needs (a rejection elsewhere ended the
    case, a signer's veto ended the sign-off), or its role's holders while unclaimed."""
    task = task_facts(news.task_id) if news.task_id else None
    if task is None:
        return []
    params = {
        "service": news.service_name,
        "number": news.case_number,
        "step": task.name,
        "reason": str(news.data.get("reason") or "").strip() or NO_REASON,
    }
    return [
        notify_tell(
            recipient=recipient,
            template="case_task_cancelled",
            params=params,
            kind=news.kind,
            source_key=news_key(news),
            link=staff_link(news.case_number, task.task_id),
        )
        for recipient in staff_recipients(
            department_code=task.department_code, task=task, supervisors=False
        )
    ]


def _tell_staff(news: CaseNews) -> list[Told]:
    if news.kind == TASK_CANCELLED:
        return _tell_cancelled(news)
    if news.task_id:
        task = task_facts(news.task_id)
        tasks: list[TaskFacts | None] = [task] if task is not None else [None]
    elif news.kind == ESCALATED:  # news naming no task: the case's escalated tasks
        tasks = list(escalated_tasks(news.case_id)) or [None]
    else:
        tasks = [None]
    department = news.department_code or str(news.data.get("department") or "")
    if not department:
        department = _service_department(news.case_id)
    told: list[Told] = []
    for task in tasks:
        if task is not None and not task.active:
            if news.kind == ESCALATED:
                # An interrupting timer cancelled it: the task its path opened is told.
                continue
            task = None
        if news.kind == ESCALATED:
            template = "case_escalated"
            params = {"step": task.name if task is not None else "办理环节"}
        else:
            template = "case_stuck"
            reason = str(news.data.get("error") or "").strip() or news.message.strip()
            params = {"reason": reason or "流程无法继续"}
        params |= {"service": news.service_name, "number": news.case_number}
        task_id = task.task_id if task is not None else None
        for recipient in staff_recipients(department_code=department, task=task):
            told.append(
                notify_tell(
                    recipient=recipient,
                    template=template,
                    params=params,
                    kind=news.kind,
                    source_key=news_key(news),
                    link=staff_link(news.case_number, task_id),
                )
            )
    return told


@transaction.atomic
def case_news_notify(*, news: CaseNews) -> Outcome:
    """Tell whoever should hear of one piece of case news. Writes the in-app messages and
    SMS rows (sent after commit) and one audit row when anything new was written."""
    if news.kind in RESIDENT_KINDS:
        told = _tell_applicant(news) + _tell_joint(news)
    elif news.kind in STAFF_KINDS:
        told = _tell_staff(news)
    else:
        return Outcome()
    outcome = Outcome(
        messages=sum(item.message for item in told), sms=sum(item.sms for item in told)
    )
    if outcome.messages or outcome.sms:
        audit_record(
            actor=Actor.system("notify"),
            action=audit_events.NOTIFY_CASE_NEWS,
            target_type="cases.case",
            target_id=str(news.case_id),
            changes={
                "kind": news.kind,
                "event": news.event_id,
                "messages": outcome.messages,
                "sms": outcome.sms,
            },
        )
    return outcome


def on_case_news(sender: Any, news: CaseNews, **kwargs: Any) -> None:
    """Tell the applicant (or staff) about one piece of case news. Never raises: the case
    step is already committed and must not see a notification's failure."""
    try:
        case_news_notify(news=news)
    except Exception:
        log.exception(
            "notify: could not tell about case %s (%s, event %s)",
            news.case_number,
            news.kind,
            news.event_id,
        )
