"""SLA sweep: advance the cases whose engine timers are due (timer boundary events escalate),
end the cases whose request for a party's consent has expired, and flag tasks past their
working-day due date."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from onewindow.cases.models import Case, CaseTask
from onewindow.cases.services.process import ACTIVE, case_advance

logger = logging.getLogger(__name__)

OPEN = (Case.Status.SUBMITTED, Case.Status.IN_PROGRESS, Case.Status.SUPPLEMENT)


def cases_sla_sweep(*, now: datetime.datetime | None = None, limit: int = 500) -> dict[str, int]:
    now = now or timezone.now()
    due = list(
        Case.objects.filter(status__in=OPEN, next_timer_at__lte=now)
        .order_by("next_timer_at")
        .values_list("pk", flat=True)[:limit]
    )
    advanced = 0
    for case_id in due:
        try:
            case_advance(case_id=case_id, now=now)
            advanced += 1
        except Exception:  # one broken case must not stop the sweep
            logger.exception("advancing case %s failed", case_id)
    from onewindow.cases.services.parties import party_consents_expire

    try:  # requests for a party's consent past their time end their cases
        expired = party_consents_expire(now=now, limit=limit)
    except Exception:
        logger.exception("expiring consent requests failed")
        expired = 0
    overdue = CaseTask.objects.filter(
        status__in=ACTIVE, due_date__lt=timezone.localdate(now), overdue=False
    ).update(overdue=True)
    return {"advanced": advanced, "overdue": overdue, "consents_expired": expired}
