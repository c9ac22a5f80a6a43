"""What the clock does to rectifications (Celery beat ``ratings.supervise_overdue``): one still
open after its due day, or a real-name one not visited after its visit's due day, is put
under supervision (督办) once, and the department's rectifiers and the platform office are
told in-app. Idempotent: run again, it marks and tells nothing more."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from onewindow.audit.services import Actor, audit_record
from onewindow.identity.selectors import (
    departments_by_ids,
    staff_user_ids_in_department_chain,
    staff_user_ids_with_permission,
)
from onewindow.notify.services import CHANNEL_INAPP, Recipient, notify_tell
from onewindow.ratings import audit_events
from onewindow.ratings.models import Rectification
from onewindow.ratings.rectify_rules import (
    RECTIFY,
    REVIEW,
    answer_overdue,
    overdue_q,
    visit_overdue,
)
from onewindow.ratings.services._rectify_common import lock

log = logging.getLogger(__name__)

Status = Rectification.Status
KIND = "ratings"


def _overdue(row: Rectification, today: datetime.date) -> tuple[bool, bool]:
    """(the answer is overdue, the return visit is overdue)."""
    return answer_overdue(row, today), visit_overdue(row, today)


def _supervisors(department_id: int | None) -> list[tuple[int, bool]]:
    """(account, is a rectifier of it): the department's rectifiers (and those above it),
    then the platform office."""
    rectifiers: list[int] = []
    for department in departments_by_ids(ids=[department_id] if department_id else []):
        rectifiers += staff_user_ids_in_department_chain(
            department_code=department.code, permission=RECTIFY
        )
    office = staff_user_ids_with_permission(permission=REVIEW)
    ids = dict.fromkeys(rectifiers, True)
    for user_id in office:
        ids.setdefault(user_id, False)
    return list(ids.items())


def supervised_tell(*, rectification_id: int) -> int:
    """Tell the department's rectifiers (with a link to the rectification) and the platform
    office (in-app; keyed once each)."""
    row = Rectification.objects.select_related("rating__subject").filter(pk=rectification_id)
    found = row.first()
    if found is None or found.supervised_at is None:
        return 0
    subject = found.rating.subject
    late_answer, _late_visit = _overdue(found, timezone.localdate(found.supervised_at))
    template = "rating_rectification_overdue" if late_answer else "rating_visit_overdue"
    due = found.due if late_answer else (found.visit_due or found.due)
    params = {"number": subject.number, "title": subject.title, "due": due.isoformat()}
    page = reverse("ratings_staff:detail", args=[rectification_id])
    told = 0
    for user_id, rectifier in _supervisors(found.department_id):
        notify_tell(
            recipient=Recipient(user_id=user_id),
            template=template,
            params=params,
            kind=KIND,
            source_key=f"ratings:rectification:{rectification_id}:supervise",
            link=page if rectifier else "",
            channels={CHANNEL_INAPP},
        )
        told += 1
    return told


@transaction.atomic(durable=True)
def rectification_supervise(*, rectification_id: int, now: datetime.datetime | None = None) -> bool:
    """Put an overdue rectification under supervision, once; whether it was."""
    now = now or timezone.now()
    row = lock(rectification_id)
    today = timezone.localdate(now)
    late_answer, late_visit = _overdue(row, today)
    if row.supervised_at is not None or not (late_answer or late_visit):
        return False
    row.supervised_at = now
    row.save(update_fields=["supervised_at"])
    transaction.on_commit(lambda: supervised_tell(rectification_id=rectification_id))
    audit_record(
        actor=Actor.system("ratings.supervise"),
        action=audit_events.RECTIFICATION_SUPERVISE,
        target=row,
        changes={
            "department": row.department_id,
            "answer_overdue": late_answer,
            "visit_overdue": late_visit,
            "due": row.due.isoformat(),
        },
    )
    return True


def rectifications_supervise_overdue(
    *, now: datetime.datetime | None = None, limit: int = 5000
) -> int:
    """Supervise every overdue rectification not supervised yet (one transaction each; one
    failing does not stop the others); how many were."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    ids = list(
        Rectification.objects.filter(overdue_q(today), supervised_at__isnull=True)
        .order_by("due", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    count = 0
    for rectification_id in ids:
        try:
            count += int(rectification_supervise(rectification_id=rectification_id, now=now))
        except Exception:
            log.exception("supervision of rectification %s failed", rectification_id)
    return count
