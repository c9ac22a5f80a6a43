"""The applicant's actions after submission: withdraw before conclusion. Answering a
supplement request (补正) is in ``supplements.py``; the rating of a concluded case (好差评)
is in ratings."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import Actor, audit_record
from onewindow.cases import audit_events
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.services._common import (
    CaseFinished,
    actor_for,
    event,
    lock_case,
    own_case,
    save_case,
)
from onewindow.cases.services.process import (
    ACTIVE,
    apply_run,
    restore,
)

if TYPE_CHECKING:
    from onewindow.identity.models import User


def _own(case: Case, user: User) -> None:
    own_case(case, user)


@transaction.atomic(durable=True)
def case_withdraw(
    *,
    user: User,
    case_id: int,
    reason: str = "",
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> Case:
    """Withdraw a submitted case before it concludes: the process is cancelled and every
    open task leaves the inboxes."""
    case = lock_case(case_id)
    _own(case, user)
    if not case.is_open:
        raise CaseFinished()
    now = now or timezone.now()
    if case.status == Case.Status.CONSENT:  # the process has not started: nothing to cancel
        return _withdraw_before_start(case, user=user, reason=reason, actor=actor, now=now)
    run = restore(case)
    run.cancel()
    for task in case.tasks.filter(status__in=ACTIVE):
        task.status, task.completed_at = CaseTask.Status.CANCELLED, now
        task.save(update_fields=["status", "completed_at"])
    case.outcome_note = reason.strip()[:500]
    save_case(case, "outcome_note")
    event(
        case, "withdrawn", user=user, message=case.outcome_note or _("申请人撤回了申请。"), at=now
    )
    apply_run(case, run, now=now)
    if case.status != Case.Status.WITHDRAWN:
        case.status, case.concluded_at = Case.Status.WITHDRAWN, now
        save_case(case, "status", "concluded_at")
    from onewindow.appointments.services import bookings_release_for_case

    bookings_release_for_case(case_id=case.pk, reason="case withdrawn", now=now)
    audit_record(actor=actor_for(user, actor), action=audit_events.CASE_WITHDRAW, target=case)
    return case


def _withdraw_before_start(
    case: Case, *, user: User, reason: str, actor: Actor | None, now: datetime.datetime
) -> Case:
    from onewindow.appointments.services import bookings_release_for_case
    from onewindow.cases.services.parties import parties_cancel

    parties_cancel(case, now=now)
    case.outcome_note = reason.strip()[:500]
    case.status, case.concluded_at = Case.Status.WITHDRAWN, now
    save_case(case, "outcome_note", "status", "concluded_at")
    event(
        case, "withdrawn", user=user, message=case.outcome_note or _("申请人撤回了申请。"), at=now
    )
    event(
        case,
        "concluded",
        actor_label=_("系统"),
        message=str(Case.Status.WITHDRAWN.label),
        data={"outcome": "withdrawn"},
        at=now,
    )
    bookings_release_for_case(case_id=case.pk, reason="case withdrawn", now=now)
    audit_record(actor=actor_for(user, actor), action=audit_events.CASE_WITHDRAW, target=case)
    return case
