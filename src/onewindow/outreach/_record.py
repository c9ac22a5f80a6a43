"""The rows of pushes, made many at a time: a push is recorded unless it was made before
(this person, rule and object), the rule is cooling down for the person or they turned it
off; each checked for the whole lot in one query. Steps of the use cases in ``services``:
they run in the caller's transaction and write no audit row."""

from __future__ import annotations

import datetime
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction

from onewindow.outreach.evaluate import Match, Rule
from onewindow.outreach.models import PushLog, PushOptOut, PushRule

Status = PushLog.Status
# A push the resident did not get does not cool the rule down for them.
NOT_TOLD = (Status.OPTED_OUT, Status.WITHDRAWN)


def rule_of(row: PushRule) -> Rule:
    return Rule(
        id=row.pk,
        code=row.code,
        trigger=row.trigger,
        condition=row.condition,
        variables=tuple(row.variables or ()),
        template=row.template,
        reason=row.reason,
        object_key=row.object_key,
        source_key=row.source_key,
        link=row.link,
        channels=tuple(row.channels or ()),
    )


def enqueue(push_ids: list[int]) -> None:
    """Hand these pushes to a worker to be told, once the caller's transaction commits (at
    once outside one)."""
    if not push_ids:
        return
    ids = list(push_ids)

    def send() -> None:
        from onewindow.outreach.tasks import deliver

        deliver.delay(ids)

    transaction.on_commit(send)


def opted_out_pairs(pairs: Collection[tuple[int, int | None]]) -> set[tuple[int, int]]:
    """Of these (rule, account) pairs, those where the account turned the rule off."""
    users = {u for _, u in pairs if u}
    if not users:
        return set()
    rules = {r for r, _ in pairs}
    found = PushOptOut.objects.filter(rule_id__in=rules, user_id__in=users).values_list(
        "rule_id", "user_id"
    )
    return {(int(r), int(u)) for r, u in found}


@dataclass(frozen=True)
class _Known:
    refused: set[int]  # accounts that turned the rule off
    made: set[tuple[int, str]]  # (person, object) pushes made before
    cooling: set[int]  # persons the rule is cooling down for


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


def _known(rule: PushRule, matches: Sequence[Match], since: datetime.datetime | None) -> _Known:
    """What the database knows of these matches, in one statement: the accounts among them
    that turned the rule off, and of their persons the pushes made before about the same
    objects and those that cool the rule down (told, since ``since``)."""
    qn = connection.ops.quote_name
    users = sorted({m.user_id for m in matches if m.user_id})
    persons = sorted({m.person_id for m in matches})
    objects = sorted({m.object_key for m in matches})
    params: list[Any] = []
    if since is not None:
        at = connection.ops.adapt_datetimefield_value(since)
        cool = f"({qn('created_at')} >= %s AND {qn('status')} NOT IN ({_placeholders(NOT_TOLD)}))"
        cool_params: list[Any] = [at, *(str(s) for s in NOT_TOLD)]
    else:
        cool, cool_params = "(1 = 0)", []
    parts = [
        f"SELECT 1, {qn('person_id')}, {qn('object_key')}, "  # noqa: S608 (names; values %s)
        f"CASE WHEN {cool} THEN 1 ELSE 0 END FROM {qn(PushLog._meta.db_table)} "
        f"WHERE {qn('rule_id')} = %s AND {qn('person_id')} IN ({_placeholders(persons)}) "
        f"AND ({qn('object_key')} IN ({_placeholders(objects)}) OR {cool})"
    ]
    params += [*cool_params, rule.pk, *persons, *objects, *cool_params]
    if users:
        parts.append(
            f"SELECT 0, {qn('user_id')}, '', 0 FROM {qn(PushOptOut._meta.db_table)} "  # noqa: S608
            f"WHERE {qn('rule_id')} = %s AND {qn('user_id')} IN ({_placeholders(users)})"
        )
        params += [rule.pk, *users]
    known = _Known(refused=set(), made=set(), cooling=set())
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, key, object_key, cooling in cursor.fetchall():
            if not kind:
                known.refused.add(int(key))
                continue
            known.made.add((int(key), str(object_key)))
            if cooling:
                known.cooling.add(int(key))
    return known


def plan_many(rule: PushRule, matches: Sequence[Match], now: datetime.datetime) -> list[PushLog]:
    """The rows (not yet written) of the new pushes for ``matches``, in their order: those
    made before are left out, and those of a person the rule is cooling down for (counting
    the ones planned here) or who turned it off. One query."""
    if not matches:
        return []
    since = now - datetime.timedelta(days=rule.cooldown_days) if rule.cooldown_days else None
    known = _known(rule, matches, since)
    made, cooling = known.made, known.cooling
    status = Status.AWAITING_DEPARTMENT if rule.department_code else Status.PENDING
    rows: list[PushLog] = []
    for match in matches:
        key = (match.person_id, match.object_key)
        if (match.user_id and match.user_id in known.refused) or key in made:
            continue
        if match.person_id in cooling:
            continue
        made.add(key)
        if since is not None:
            cooling.add(match.person_id)
        rows.append(
            PushLog(
                rule=rule,
                person_id=match.person_id,
                user_id=match.user_id,
                object_key=match.object_key,
                source_key=match.source_key,
                region_code=match.region_code,
                text=match.text,
                reason=match.reason,
                link=match.link,
                channels=list(match.channels),
                status=status,
                send_at=now,
                created_at=now,
            )
        )
    return rows


def record_checked(
    rule: PushRule, matches: Sequence[Match], now: datetime.datetime
) -> list[int] | None:
    """The new pushes for ``matches``, checked and written by one statement: the database
    leaves out, as :func:`plan_many` does, those made before, those of a person the rule is
    cooling down for and those of an account that turned it off. Returns the new pushes'
    keys; None (nothing written) when the persons of ``matches`` are not all different (a
    person's later match cools down for its earlier one: :func:`plan_many` judges that) or
    the database cannot give the keys of the rows it inserts. A push another writer made
    meanwhile raises IntegrityError: the caller's transaction is to be run again."""
    if not matches:
        return []
    if len({m.person_id for m in matches}) != len(matches):
        return None
    if not connection.features.can_return_columns_from_insert:
        return None
    qn = connection.ops.quote_name
    ops = connection.ops
    since = now - datetime.timedelta(days=rule.cooldown_days) if rule.cooldown_days else None
    status = Status.AWAITING_DEPARTMENT if rule.department_code else Status.PENDING
    at = ops.adapt_datetimefield_value(now)
    values: list[str] = []
    params: list[Any] = []
    for n, m in enumerate(matches):
        values.append("(%s, CAST(%s AS BIGINT), CAST(%s AS BIGINT), %s, %s, %s, %s, %s, %s, %s)")
        params += [n, m.person_id, m.user_id, m.object_key, m.source_key, m.region_code]
        params += [m.text, m.reason, m.link, json.dumps(list(m.channels))]
    if since is not None:
        cool = f"(p.{qn('created_at')} >= %s AND p.{qn('status')} NOT IN (%s, %s))"
        cool_params: list[Any] = [ops.adapt_datetimefield_value(since)]
        cool_params += [str(s) for s in NOT_TOLD]
    else:
        cool, cool_params = "(1 = 0)", []
    channels = "CAST(m.chs AS jsonb)" if connection.vendor == "postgresql" else "m.chs"
    columns = (
        "rule_id, person_id, user_id, object_key, source_key, region_code, text, reason, link, "
        "channels, status, send_at, created_at"
    )
    log, out = qn(PushLog._meta.db_table), qn(PushOptOut._meta.db_table)
    sql = (
        "WITH m (ord, pid, uid, obj, src, reg, txt, why, lnk, chs) "  # noqa: S608 (names; %s)
        f"AS (VALUES {', '.join(values)}) "
        f"INSERT INTO {log} ({', '.join(qn(c) for c in columns.split(', '))}) "
        "SELECT %s, m.pid, m.uid, m.obj, m.src, m.reg, m.txt, m.why, m.lnk, "
        f"{channels}, %s, %s, %s FROM m "
        f"WHERE NOT EXISTS (SELECT 1 FROM {out} o "
        f"WHERE o.{qn('rule_id')} = %s AND o.{qn('user_id')} = m.uid) "
        f"AND NOT EXISTS (SELECT 1 FROM {log} p "
        f"WHERE p.{qn('rule_id')} = %s AND p.{qn('person_id')} = m.pid "
        f"AND (p.{qn('object_key')} = m.obj OR {cool})) "
        f"ORDER BY m.ord RETURNING {qn('id')}"
    )
    params += [rule.pk, str(status), at, at, rule.pk, rule.pk, *cool_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [int(row[0]) for row in cursor.fetchall()]


def record_many(rule: PushRule, matches: Sequence[Match], now: datetime.datetime) -> list[PushLog]:
    """The new pushes' rows for ``matches`` (in their order), written: see
    :func:`plan_many`. Another writer that made one of them meanwhile is met by the unique
    key (that one is left out, the others written)."""
    return insert(plan_many(rule, matches, now), careful=True)


def insert(rows: list[PushLog], *, careful: bool) -> list[PushLog]:
    """Write planned pushes in one statement. ``careful``: in a savepoint, and one at a time
    when another writer made one of them meanwhile; otherwise a push made meanwhile raises
    IntegrityError and the caller's transaction is to be run again."""
    if not rows:
        return []
    if not careful:
        return PushLog.objects.bulk_create(rows)
    try:
        with transaction.atomic():
            return PushLog.objects.bulk_create(rows)
    except IntegrityError:  # another writer made one of them meanwhile: one at a time
        return [push for push in (_one(row) for row in rows) if push is not None]


def _one(row: PushLog) -> PushLog | None:
    try:
        with transaction.atomic():
            row.save(force_insert=True)
            return row
    except IntegrityError:  # made before (this person, rule and object): nothing new
        row.pk = None
        return None


def due(pushes: Sequence[PushLog]) -> list[int]:
    """Of new pushes, those to be told now (not waiting for their department)."""
    return [p.pk for p in pushes if p.status == Status.PENDING]
