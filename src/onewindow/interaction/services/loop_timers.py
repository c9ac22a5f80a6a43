"""What the clock does to orders (Celery beat, ``interaction.tasks``): an order still open
the day after its deadline is chased (催办), one still open a day after the chase is
escalated (超时升级, put under supervision) — each told to the lead department's order
handlers (``staff_notices``) — and the requester of an answered order is
invited to the return visit the day after the answer. Each is idempotent within a day:
run twice, it changes and tells nothing more."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from onewindow.audit.services import Actor, audit_record
from onewindow.interaction import audit_events
from onewindow.interaction.models import Move, Request
from onewindow.interaction.services._common import limits_for, lock_request, move_add
from onewindow.interaction.services._loop import OPEN, tell
from onewindow.interaction.services.staff_notices import handlers_tell

log = logging.getLogger(__name__)

VISIT_WINDOW_DAYS = 7  # invitations not sent by then (the beat was down) are not sent late


def _chase_due(request: Request, today: datetime.date) -> bool:
    if request.status not in OPEN or request.answer_due is None:
        return False
    after = limits_for(request.kind, request.urgency).chase_after_days
    if (today - request.answer_due).days < max(after, 1):
        return False
    # chased once per deadline (an approved extension gives a new one)
    return request.chased_at is None or timezone.localdate(request.chased_at) <= request.answer_due


def _escalate_due(request: Request, today: datetime.date) -> bool:
    if request.status not in OPEN or request.escalated_at is not None:
        return False
    if request.chased_at is None or request.answer_due is None:
        return False
    chased = timezone.localdate(request.chased_at)
    after = limits_for(request.kind, request.urgency).chase_after_days
    return chased > request.answer_due and (today - chased).days >= max(after, 1)


@transaction.atomic(durable=True)
def request_chase(*, request_id: int, now: datetime.datetime | None = None) -> bool:
    """Chase (催办) the order's lead department if it is past its deadline and has not been
    chased for it yet; whether it was."""
    now = now or timezone.now()
    request = lock_request(request_id)
    if not _chase_due(request, timezone.localdate(now)):
        return False
    request.chased_at = now
    request.save(update_fields=["chased_at", "updated_at"])
    assert request.answer_due is not None
    move_add(
        request,
        action=Move.Action.CHASE,
        actor=None,
        department_id=request.department_id,
        data={"answer_due": request.answer_due.isoformat()},
        public=False,
        at=now,
    )
    handlers_tell(
        request,
        template="request_chased",
        params={"due": request.answer_due.isoformat()},
        move=f"chase:{request.answer_due.isoformat()}",
    )
    audit_record(
        actor=Actor.system("interaction.chase"),
        action=audit_events.REQUEST_CHASE,
        target=request,
        changes={"department": request.department_id, "answer_due": str(request.answer_due)},
    )
    return True


@transaction.atomic(durable=True)
def request_escalate(*, request_id: int, now: datetime.datetime | None = None) -> bool:
    """Escalate (超时升级) an order still open after its chase: under supervision from now."""
    now = now or timezone.now()
    request = lock_request(request_id)
    if not _escalate_due(request, timezone.localdate(now)):
        return False
    request.escalated_at = now
    request.supervised = True
    request.save(update_fields=["escalated_at", "supervised", "updated_at"])
    move_add(
        request,
        action=Move.Action.ESCALATE,
        actor=None,
        department_id=request.department_id,
        public=False,
        at=now,
    )
    handlers_tell(
        request, template="request_escalated", params={}, move=f"escalate:{request.reopen_count}"
    )
    audit_record(
        actor=Actor.system("interaction.escalate"),
        action=audit_events.REQUEST_ESCALATE,
        target=request,
        changes={"department": request.department_id},
    )
    return True


def requests_chase_sweep(
    *, now: datetime.datetime | None = None, limit: int = 5000
) -> dict[str, int]:
    """Chase and escalate every open order past its deadline (one transaction each; one
    failing order does not stop the others)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    overdue = Request.objects.filter(status__in=OPEN, answer_due__lt=today)
    to_chase = list(
        overdue.filter(Q(chased_at__isnull=True) | Q(chased_at__date__lte=F("answer_due")))
        .order_by("answer_due", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    to_escalate = list(
        overdue.filter(escalated_at__isnull=True, chased_at__isnull=False)
        .order_by("answer_due", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"chased": 0, "escalated": 0}
    for name, step, ids in (
        ("chased", request_chase, to_chase),
        ("escalated", request_escalate, to_escalate),
    ):
        for request_id in ids:
            try:
                counts[name] += int(step(request_id=request_id, now=now))
            except Exception:
                log.exception("%s of request %s failed", name, request_id)
    return counts


def requests_visit_invite(*, now: datetime.datetime | None = None, limit: int = 5000) -> int:
    """Invite the requesters of the orders answered before today to the return visit (each
    answer once: notify keeps one message per key); how many orders were told about."""
    today = timezone.localdate(now or timezone.now())
    rows = (
        Request.objects.filter(
            status=Request.Status.ANSWERED,
            solved__isnull=True,
            visit_due__lte=today,
            visit_due__gte=today - datetime.timedelta(days=VISIT_WINDOW_DAYS),
        )
        .only("pk", "number", "reopen_count")
        .order_by("visit_due", "pk")[:limit]
    )
    count = 0
    for request in rows:
        tell(request, template="request_visit", params={}, move=f"visit:{request.reopen_count}")
        count += 1
    return count
