"""Engine steps as a state on the case: no case is ever stuck without someone knowing.

A step the engine owes a case (gateways, service tasks, due timers, run by ``case_advance``
in a worker) is recorded on the case before it is a Celery message: ``step_due_at`` says a
step is owed and from when, ``step_claimed_at`` that a worker took it, ``step_attempts`` and
``step_error`` how it went so far. So a message that is lost (its worker killed, the broker
down at commit) or a step that failed is found again by :func:`cases_steps_sweep` (celery
beat, every minute), which queues every owed step that is due:

- a failed action (``action_failed:<element>``) keeps the step owed and due again after a
  back-off of 30 s, 1, 2, 4 … minutes (at most :data:`MAX_BACKOFF`); after
  :data:`MAX_ATTEMPTS` attempts the case is *stuck*;
- a step claimed longer ago than ``settings.CASES_STEP_CLAIM_TIMEOUT`` was lost with its
  worker: it is queued again, and the worker that takes it over counts an attempt;
- a process that cannot continue (``EngineError``: a condition on a missing variable, a
  candidate group that maps to no department) is stuck at once.

A stuck case (``stuck_at``) runs nothing on its own any more. Its timeline gets one internal
row of kind ``stuck`` (``case_news`` carries it to the notification service), and the staff
who supervise its departments (``cases.supervise_cases``) find it under 停滞办件, where they
retry it (on its own version, or on the service's newer version when the case's state
restores under it) or conclude it with a reason.

Actions that wait for something outside the platform rather than fail (``payments.await``:
the payment callback queues the case again) are not counted as failures."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases.models import Case, CaseTask
from onewindow.cases.services._common import (
    event,
    lock_case,
    save_case,
)
from onewindow.workflow import EventKind, ProcessRun, RunEvent

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_BACKOFF = datetime.timedelta(seconds=30)
MAX_BACKOFF = datetime.timedelta(minutes=30)
# Actions that report "not yet" by failing until something outside happens, and whose
# outside event queues the case itself (the payment callback calls ``enqueue_advance``).
WAITING_ACTIONS = frozenset({"payments.await"})
STEP_FIELDS = ("step_due_at", "step_claimed_at", "step_attempts", "step_error", "stuck_at")
ACTIVE_TASKS = (CaseTask.Status.OPEN, CaseTask.Status.CLAIMED, CaseTask.Status.WAITING)


def claim_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.CASES_STEP_CLAIM_TIMEOUT)


def backoff(attempts: int) -> datetime.timedelta:
    """How long after its ``attempts``-th failure a step is due again: 30 s, 1 min, 2 min …
    at most :data:`MAX_BACKOFF`."""
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def send_step(
    case_id: int, *, due: datetime.datetime, stale_claim: datetime.datetime | None = None
) -> None:
    """The Celery message for the step owed from ``due``, after the transaction commits. A
    broker that cannot take it is logged, not raised: the step is already owed on the case
    and the sweep sends it again."""
    from onewindow.cases.tasks import case_advance_task

    claim = stale_claim.isoformat() if stale_claim is not None else None

    def send() -> None:
        case_advance_task.delay(case_id, claim, due.isoformat())

    transaction.on_commit(send, robust=True)


# --- the step's life: owed, claimed, done, failed, stuck ----------------------------------


def step_owe(case: Case, *, now: datetime.datetime) -> None:
    """A step is owed from ``now`` (``enqueue_advance``): written in the caller's transaction,
    the message sent once it commits. A stuck case waits for its supervisor instead."""
    if case.stuck_at is not None:
        return
    case.step_due_at = now
    # The callers saved the case already; this one field needs no compare-and-set (the
    # payment callback owes a step without holding the case's lock).
    Case.objects.filter(pk=case.pk, stuck_at__isnull=True).update(step_due_at=now)
    send_step(case.pk, due=now)


def step_claim(
    *,
    case_id: int,
    now: datetime.datetime,
    due: datetime.datetime | None = None,
    stale_claim: datetime.datetime | None = None,
) -> datetime.datetime | None:
    """Take the step owed to the case, in a transaction of its own (so the claim is seen by
    the sweep while the step runs). Returns the claim, or None when there is nothing to run
    here: no step owed (a duplicate message), the case stuck or closed, another worker
    holding it, or the step not due yet — a message sent before a failure that put the next
    attempt off (``due``: when the step was owed from when the message was sent). A claim
    older than the claim timeout — or the very one the sweep found stale — was lost with its
    worker: taken over, counting an attempt."""
    with transaction.atomic():
        case = lock_case(case_id)
        if not case.is_open:
            if step_clear(case):
                save_case(case, *STEP_FIELDS)
            return None
        if case.stuck_at is not None or case.step_due_at is None:
            return None
        if case.step_due_at > now and case.step_due_at != due:
            return None
        held = case.step_claimed_at
        if held is not None:
            if held > now - claim_timeout() and held != stale_claim:
                return None
            case.step_attempts += 1
            case.step_error = _("上次执行未完成（处理进程中断），已重新执行。")
            logger.warning(
                "case %s: step claimed at %s was lost with its worker (attempt %d)",
                case.number,
                held.isoformat(),
                case.step_attempts,
            )
            if case.step_attempts >= MAX_ATTEMPTS:
                reason = _("流程步骤已连续 %(n)s 次未能执行完毕（处理进程中断）。") % {
                    "n": case.step_attempts
                }
                _stick(case, now=now, reason=reason)
                save_case(case, *STEP_FIELDS)
                step_stuck_record(case, now=now, attempts=case.step_attempts)
                return None
        case.step_claimed_at = now
        save_case(case, *STEP_FIELDS)
    return now


def step_clear(case: Case) -> bool:
    """Nothing is owed any more. Returns whether a field changed."""
    before = (case.step_due_at, case.step_claimed_at, case.step_attempts, case.step_error)
    case.step_due_at = case.step_claimed_at = None
    case.step_attempts, case.step_error = 0, ""
    return before != (None, None, 0, "")


def _stick(case: Case, *, now: datetime.datetime, reason: str) -> None:
    case.stuck_at = now
    case.step_due_at = case.step_claimed_at = None
    case.step_error = reason[:2000]


def step_settle(
    case: Case, run: ProcessRun, events: list[RunEvent], *, now: datetime.datetime
) -> tuple[str, ...]:
    """After ``run.advance``: record how the step went on the case (the caller saves the
    returned fields with the run's state). Failed actions keep the step owed with a back-off;
    the last allowed failure makes the case stuck (see :func:`step_stuck_record`)."""
    tasks = (case.service_version.process_spec or {}).get("service_tasks") or {}
    failed = [e.element for e in events if e.kind is EventKind.ACTION_FAILED]
    failing = [e for e in failed if (tasks.get(e) or {}).get("action") not in WAITING_ACTIONS]
    if not failing or run.finished:
        step_clear(case)
        return STEP_FIELDS
    errors = (run.state().get("run") or {}).get("errors") or {}
    case.step_attempts += 1
    text = "；".join(
        _("「%(step)s」执行失败：%(error)s")
        % {"step": (tasks.get(e) or {}).get("name") or e, "error": errors.get(e, "")}
        for e in failing
    )
    if case.step_attempts >= MAX_ATTEMPTS:
        reason = _("已连续 %(n)s 次执行失败，流程无法继续。") % {"n": case.step_attempts}
        _stick(case, now=now, reason=f"{text}（{reason}）")
    else:
        case.step_error = _("%(error)s（第 %(n)s 次，将自动重试）") % {
            "error": text,
            "n": case.step_attempts,
        }
        case.step_due_at = now + backoff(case.step_attempts)
        case.step_claimed_at = None
    return STEP_FIELDS


def step_stuck(case: Case, *, now: datetime.datetime, reason: str) -> None:
    """The process cannot continue (``EngineError``): stuck at once, with the message."""
    _stick(case, now=now, reason=_("流程无法继续：%(reason)s") % {"reason": reason})
    save_case(case, *STEP_FIELDS)
    step_stuck_record(case, now=now, attempts=case.step_attempts)


def step_stuck_record(case: Case, *, now: datetime.datetime, attempts: int) -> None:
    """The internal timeline row of a case that became stuck (``case_news`` kind ``stuck``)."""
    service = case.service_version.service
    event(
        case,
        "stuck",
        actor_label=_("系统"),
        message=_("办件流程停滞，等待督办人员处理：%(error)s") % {"error": case.step_error},
        data={
            "error": case.step_error,
            "attempts": attempts,
            "department": service.department.code if service.department_id else "",
        },
        public=False,
        at=now,
    )
    logger.warning("case %s is stuck: %s", case.number, case.step_error)


def step_failed(
    *, case_id: int, claim: datetime.datetime, now: datetime.datetime, error: BaseException
) -> None:
    """The step raised something the engine does not report as a failed action (a database
    error, a bug): the run's work was rolled back; the step stays owed with a back-off."""
    with transaction.atomic():
        case = lock_case(case_id)
        if case.step_claimed_at != claim:
            return
        case.step_attempts += 1
        text = f"{type(error).__name__}: {error}"[:300]
        if case.step_attempts >= MAX_ATTEMPTS:
            reason = _("流程步骤已连续 %(n)s 次出错：%(error)s") % {
                "n": case.step_attempts,
                "error": text,
            }
            _stick(case, now=now, reason=reason)
            save_case(case, *STEP_FIELDS)
            step_stuck_record(case, now=now, attempts=case.step_attempts)
        else:
            case.step_error = _("流程步骤出错：%(error)s（第 %(n)s 次，将自动重试）") % {
                "error": text,
                "n": case.step_attempts,
            }
            case.step_due_at = now + backoff(case.step_attempts)
            case.step_claimed_at = None
            save_case(case, *STEP_FIELDS)


# --- the sweep ------------------------------------------------------------------------------


def steps_due(*, now: datetime.datetime) -> QuerySet[Case]:
    """Cases with a step owed and due that no live worker holds (``step_due_at`` index; a
    stuck case owes no step, see ``_stick``)."""
    return (
        Case.objects.filter(step_due_at__lte=now)
        .filter(Q(step_claimed_at__isnull=True) | Q(step_claimed_at__lt=now - claim_timeout()))
        .order_by("step_due_at")
    )


def cases_steps_sweep(*, now: datetime.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Queue every owed step that is due (celery beat, every minute). A queued step is not
    queued again for the claim timeout (its ``step_due_at`` moves on by that much), so a
    backlog in the broker does not grow by a duplicate per case and minute; cases a worker
    has locked right now are skipped."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            steps_due(now=now)
            .select_for_update(skip_locked=True)
            .values_list("pk", "step_claimed_at", "number")[:limit]
        )
        again = now + claim_timeout()
        if rows:
            Case.objects.filter(pk__in=[pk for pk, _claimed, _n in rows]).update(step_due_at=again)
        lost = 0
        for pk, claimed, number in rows:
            if claimed is not None:
                lost += 1
                logger.warning("case %s: step lost with its worker, queued again", number)
            send_step(pk, due=again, stale_claim=claimed)
    return {"queued": len(rows), "lost": lost}
