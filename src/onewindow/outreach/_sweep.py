"""The daily sweep of a scheduled rule over the population, batch after batch behind the
day's cursor.

A batch's pushes and the cursor's move commit together, so a sweep stopped anywhere resumes
where it was and a batch run twice tells nobody twice. The cursor moves by compare-and-set
(from where this sweep last saw it, while the rule is still switched on and unchanged): a
second worker on the same sweep, or a rule switched off or edited meanwhile, makes the
batch write nothing, and the sweep reads the rule and the cursor again.

A run reads the rule and the cursor once, not once per batch; a batch costs one read of
the window of residents (the database judges the simple parts of the condition,
:mod:`onewindow.outreach.prefilter`), one for what the pushes' residents already had and
whether they turned the rule off, and in its transaction the cursor's move and the pushes'
insert. The sweep is audited once, when it reaches the end of the population, in the
transaction of its last batch (the day, residents looked at, pushes made); its pushes are
handed to workers to be told a few hundred at a time (those a crash leaves behind are told
by ``push_deliver_due``).

On PostgreSQL a run's batches commit without waiting for their write-ahead log to reach the
disk (``synchronous_commit`` off on the run's connection, until it ends). A crash of the
database may then lose its last few batches, each as a whole (pushes, cursor and audit row
together), and the sweep resumed does them again: nobody is told twice nor left out, because
nothing is told from a batch that could be lost. Telling a push commits first, and that
commit, being flushed, carries every commit before it (the pushes it read) to the disk."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from onewindow.audit.services import Actor, audit_record
from onewindow.identity.selectors import PersonBound, person_rows_window
from onewindow.outreach import _record as _record_
from onewindow.outreach import audit_events, prefilter, rules
from onewindow.outreach.evaluate import (
    BATCH,
    Candidate,
    Match,
    Rule,
    bill_candidates,
    evaluate,
    person_names,
)
from onewindow.outreach.facts import row_fields
from onewindow.outreach.models import PushCursor, PushRule

# Pushes handed to one delivery task.
DELIVER_BATCH = 200
# A batch whose insert meets a push another writer made meanwhile is run again (it then
# sees that push); after this many tries the error stands and the cursor has not moved.
ATTEMPTS = 3


@dataclass(frozen=True)
class BatchResult:
    scanned: int
    pushes: int
    done: bool


@dataclass(frozen=True)
class SweepResult:
    scanned: int
    pushes: int
    batches: int
    handed: tuple[int, ...] = ()  # the size of each delivery task handed to the broker


@dataclass
class _Sweep:
    """Today's sweep of one rule as a run holds it between batches."""

    rule: PushRule
    spec: Rule
    day: datetime.date
    cursor_id: int
    after: int  # the cursor's last person, as this sweep last moved it
    matched: int
    scanned: int
    stamp: datetime.datetime  # the rule's updated_at when read
    fields: frozenset[str] = field(default_factory=frozenset)
    where: tuple[PersonBound, ...] = ()


@dataclass(frozen=True)
class _Step:
    scanned: int
    made: list[int]  # the new pushes
    due: list[int]  # of them, those to be told now
    done: bool
    moved: bool  # the cursor or the rule had changed: nothing written


def _open(rule_code: str, day: datetime.date) -> _Sweep | None:
    """The day's sweep of the rule, or None when the rule is switched off or the sweep is
    done."""
    rule = PushRule.objects.get(code=rule_code)
    cursor, _created = PushCursor.objects.get_or_create(rule=rule, day=day)
    if cursor.done or not rule.enabled:
        return None
    spec = _record_.rule_of(rule)
    return _Sweep(
        rule=rule,
        spec=spec,
        day=day,
        cursor_id=cursor.pk,
        after=cursor.last_person_id,
        matched=cursor.matched,
        scanned=cursor.scanned,
        stamp=rule.updated_at,
        fields=row_fields(person_names(spec)),
        where=prefilter.person_bounds(rule.condition, today=day),
    )


def _advance(sweep: _Sweep, *, last: int, done: bool, pushes: int, scanned: int) -> bool:
    """Move the cursor from where the sweep last saw it (locking it until the commit), if
    nobody else moved it and the rule is still switched on and unchanged. One statement."""
    qn, ops = connection.ops.quote_name, connection.ops
    sql = (
        f"UPDATE {qn(PushCursor._meta.db_table)} SET {qn('last_person_id')} = %s, "  # noqa: S608
        f"{qn('done')} = %s, {qn('matched')} = {qn('matched')} + %s, "
        f"{qn('scanned')} = {qn('scanned')} + %s, {qn('updated_at')} = %s "
        f"WHERE {qn('id')} = %s AND {qn('last_person_id')} = %s AND {qn('done')} = %s "
        f"AND EXISTS (SELECT 1 FROM {qn(PushRule._meta.db_table)} r WHERE r.{qn('id')} = %s "
        f"AND r.{qn('enabled')} = %s AND r.{qn('updated_at')} = %s)"
    )
    params = [last, done, pushes, scanned, ops.adapt_datetimefield_value(timezone.now())]
    params += [sweep.cursor_id, sweep.after, False, sweep.rule.pk, True]
    params += [ops.adapt_datetimefield_value(sweep.stamp)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1


class _Moved(Exception):
    """The cursor or the rule changed under the batch: its writes are rolled back."""


def _write(sweep: _Sweep, matches: list[Match], now: datetime.datetime) -> list[int]:
    """The batch's new pushes, written (their keys)."""
    made = _record_.record_checked(sweep.rule, matches, now)
    if made is not None:
        return made
    return [
        p.pk for p in _record_.insert(_record_.plan_many(sweep.rule, matches, now), careful=False)
    ]


def _step(sweep: _Sweep, now: datetime.datetime, batch: int) -> _Step:
    """One batch, from where the sweep's cursor stands: its pushes written, then the cursor
    moved (or, when it had moved or the rule changed, nothing)."""
    spec, today = sweep.spec, sweep.day
    if sweep.rule.trigger in (rules.BILL_DUE, rules.BILL_OVERDUE):
        candidates = list(bill_candidates(sweep.rule.trigger, today))
        scanned, last, finished = len(candidates), 0, True
    else:
        window = person_rows_window(
            after_pk=sweep.after, limit=batch, fields=sweep.fields, where=sweep.where
        )
        candidates = [Candidate(row=row) for row in window.rows]
        scanned, last, finished = window.walked, window.last_pk, window.walked < batch
    matches = [m for m in (evaluate(spec, c, today=today) for c in candidates) if m is not None]
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic(durable=True):
                made = _write(sweep, matches, now)
                if not _advance(sweep, last=last, done=finished, pushes=len(made), scanned=scanned):
                    raise _Moved
                if finished:
                    audit_record(
                        actor=Actor.system("outreach"),
                        action=audit_events.PUSH_SWEEP,
                        target=sweep.rule,
                        changes={
                            "day": today.isoformat(),
                            "scanned": sweep.scanned + scanned,
                            "pushes": sweep.matched + len(made),
                            "after": last,
                        },
                    )
        except _Moved:
            return _Step(scanned=0, made=[], due=[], done=False, moved=True)
        except IntegrityError:  # another writer made one of these pushes meanwhile
            if attempt + 1 == ATTEMPTS:
                raise
            continue
        sweep.after = last
        sweep.matched += len(made)
        sweep.scanned += scanned
        due = [] if sweep.rule.department_code else made  # the department confirms first
        return _Step(scanned=scanned, made=made, due=due, done=finished, moved=False)
    raise AssertionError("unreachable")  # pragma: no cover


def _day(now: datetime.datetime) -> datetime.date:
    return timezone.localtime(now).date()


def push_sweep_batch(
    *, rule_code: str, now: datetime.datetime | None = None, batch: int = BATCH
) -> BatchResult:
    """One batch of today's sweep of a scheduled rule over the population, from where the
    cursor stands (see the module): the next ``batch`` residents (``scanned``), of which the
    database gives only those the simple parts of the condition leave in, and the evaluator
    judges each of those exactly. Its pushes are handed to a worker once it commits."""
    now = now or timezone.now()
    sweep = _open(rule_code, _day(now))
    if sweep is None:
        return BatchResult(scanned=0, pushes=0, done=True)
    step = _step(sweep, now, batch)
    if step.moved:  # another worker moved the cursor, or the rule changed
        return BatchResult(scanned=0, pushes=0, done=_open(rule_code, _day(now)) is None)
    _record_.enqueue(step.due)
    return BatchResult(scanned=step.scanned, pushes=len(step.made), done=step.done)


def push_sweep_rule(
    *,
    rule_code: str,
    now: datetime.datetime | None = None,
    batch: int = BATCH,
    max_batches: int = 10_000,
) -> SweepResult:
    """Today's sweep of one scheduled rule, batch after batch (each its own transaction) to
    the end of the population or ``max_batches``. The rule and the cursor are read once (and
    again when a batch finds either changed, or the day turns); the pushes to be told now are
    handed to workers ``DELIVER_BATCH`` at a time."""
    sweep: _Sweep | None = None
    scanned = pushes = batches = 0
    due: list[int] = []
    handed: list[int] = []

    def hand(ids: list[int]) -> None:
        _record_.enqueue(ids)
        handed.append(len(ids))

    try:
        with _unflushed_commits():
            for _n in range(max_batches):
                at = now or timezone.now()
                if sweep is None or sweep.day != _day(at):
                    sweep = _open(rule_code, _day(at))
                    if sweep is None:
                        break
                step = _step(sweep, at, batch)
                batches += 1
                if step.moved:
                    sweep = None
                    continue
                scanned += step.scanned
                pushes += len(step.made)
                due.extend(step.due)
                while len(due) >= DELIVER_BATCH:
                    hand(due[:DELIVER_BATCH])
                    del due[:DELIVER_BATCH]
                if step.done:
                    break
    finally:  # the committed batches' pushes, even when a later batch failed
        if due:
            hand(due)
    return SweepResult(scanned=scanned, pushes=pushes, batches=batches, handed=tuple(handed))


@contextmanager
def _unflushed_commits() -> Iterator[None]:
    """The connection's commits do not wait for the disk until the block ends (PostgreSQL,
    outside a transaction; see the module for why a sweep may)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:  # the connection broke: a new one starts with the default
            connection.close()


def push_sweep_run(*, now: datetime.datetime | None = None, max_batches: int = 10_000) -> int:
    """Today's sweep of every switched-on scheduled rule (see :func:`push_sweep_rule`).
    Returns the number of new pushes."""
    codes = PushRule.objects.filter(enabled=True, trigger__in=rules.SWEPT).values_list(
        "code", flat=True
    )
    return sum(
        push_sweep_rule(rule_code=code, now=now, max_batches=max_batches).pushes for code in codes
    )
