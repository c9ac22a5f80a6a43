"""The rows of pushes, made many at a time: a push is recorded unless it was made before
(this person, rule and object), the rule is cooling down for the person or they turned it
off; each checked for the whole lot in one query. Steps of the use cases in ``services``:
they run in the caller's transaction and write no audit row."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence

from django.db import IntegrityError, transaction
from django.db.models import Q

from onewindow.outreach.evaluate import Match
from onewindow.outreach.models import PushLog, PushOptOut, PushRule

Status = PushLog.Status
# A push the resident did not get does not cool the rule down for them.
NOT_TOLD = (Status.OPTED_OUT, Status.WITHDRAWN)


def opted_out(rule_id: int, user_ids: Collection[int | None]) -> set[int]:
    """Of these accounts, those that turned the rule off."""
    wanted = [u for u in set(user_ids) if u]
    if not wanted:
        return set()
    return set(
        PushOptOut.objects.filter(rule_id=rule_id, user_id__in=wanted).values_list(
            "user_id", flat=True
        )
    )


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


def record_many(rule: PushRule, matches: Sequence[Match], now: datetime.datetime) -> list[PushLog]:
    """The new pushes' rows for ``matches`` (in their order), leaving out those made before,
    those of a person the rule is cooling down for (counting the ones made here) and those
    of a person who turned it off."""
    if not matches:
        return []
    refused = opted_out(rule.pk, [m.user_id for m in matches])
    since = now - datetime.timedelta(days=rule.cooldown_days) if rule.cooldown_days else None
    made: set[tuple[int, str]] = set()
    cooling: set[int] = set()
    persons = sorted({m.person_id for m in matches})
    seen = Q(object_key__in=sorted({m.object_key for m in matches}))
    if since is not None:
        seen |= Q(created_at__gte=since) & ~Q(status__in=NOT_TOLD)
    for person_id, object_key, created_at, status in PushLog.objects.filter(
        seen, rule=rule, person_id__in=persons
    ).values_list("person_id", "object_key", "created_at", "status"):
        made.add((person_id, object_key))
        if since is not None and created_at >= since and status not in NOT_TOLD:
            cooling.add(person_id)
    status = Status.AWAITING_DEPARTMENT if rule.department_code else Status.PENDING
    rows: list[PushLog] = []
    for match in matches:
        key = (match.person_id, match.object_key)
        if (match.user_id and match.user_id in refused) or key in made:
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
    if not rows:
        return []
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
