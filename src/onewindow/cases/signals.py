"""News of a case for other apps (the notification service, later the citizen page).

``case_news`` is sent after the transaction that recorded the step commits, once per public
timeline entry of a kind in :data:`NEWS_KINDS` (and for escalations, which are not public).
Receivers get ``news=`` a :class:`CaseNews`; they must not raise (a receiver's failure is
logged and does not reach the step that was already committed)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.dispatch import Signal

if TYPE_CHECKING:
    from onewindow.cases.models import Case, CaseEvent

logger = logging.getLogger(__name__)

case_news = Signal()

# What the platform tells the applicant about without a BPMN step (and escalations, told to
# the task's holder and their supervisor).
SUBMITTED = "submitted"
SUPPLEMENT_REQUESTED = "supplement_requested"
TASK_APPROVED = "task_approved"
TASK_REJECTED = "task_rejected"
PAYMENT_DUE = "payment_due"
CONCLUDED = "concluded"
ESCALATED = "escalated"
STUCK = "stuck"
TASK_CANCELLED = "task_cancelled"  # told to the holder of a task the process no longer needs
NEWS_KINDS = frozenset(
    {
        SUBMITTED,
        SUPPLEMENT_REQUESTED,
        TASK_APPROVED,
        TASK_REJECTED,
        PAYMENT_DUE,
        CONCLUDED,
        ESCALATED,
        STUCK,
        TASK_CANCELLED,
    }
)


STAFF_KINDS = frozenset({ESCALATED, STUCK, TASK_CANCELLED})  # told to staff, not the applicant


@dataclass(frozen=True)
class CaseNews:
    kind: str  # one of NEWS_KINDS
    case_id: int
    case_number: str
    service_code: str
    service_name: str
    applicant_user_id: int | None  # the account that applied (created the case)
    applicant_person_id: int | None
    applicant_company_id: int | None
    message: str  # the timeline entry's text (Chinese)
    event_id: int | None = None  # the timeline row (idempotency key for receivers)
    task_id: int | None = None
    department_code: str = ""
    data: dict[str, Any] = field(default_factory=dict)  # e.g. {"outcome": "rejected"}


def news_of(case: Case, row: CaseEvent) -> CaseNews:
    version = case.service_version
    service = version.service
    task = row.task if row.task_id else None
    return CaseNews(
        kind=row.kind,
        case_id=case.pk,
        case_number=case.number or "",
        service_code=service.code,
        service_name=service.name,
        applicant_user_id=case.created_by_id,
        applicant_person_id=case.applicant_person_id,
        applicant_company_id=case.applicant_company_id,
        message=row.message,
        event_id=row.pk,
        task_id=row.task_id,
        department_code=task.department.code if task is not None else "",
        data=dict(row.data or {}),
    )


def publish(case: Case, rows: list[CaseEvent]) -> None:
    """Send ``case_news`` for the newsworthy rows once the current transaction commits."""
    items = [
        news_of(case, row)
        for row in rows
        if row.kind in NEWS_KINDS and (row.public or row.kind in STAFF_KINDS)
    ]
    if not items:
        return

    def send() -> None:
        for news in items:
            for receiver, result in case_news.send_robust(sender=CaseNews, news=news):
                if isinstance(result, Exception):
                    logger.error(
                        "case_news receiver %r failed for %s %s: %s",
                        receiver,
                        news.case_number,
                        news.kind,
                        result,
                    )

    transaction.on_commit(send)
