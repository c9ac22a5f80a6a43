"""Registering what may be rated (评价对象): the concluding app says so, inside the
transaction that concludes it.

``subject_expect`` is not a use case of its own: a case or a request concludes in the
concluding app's use case (a task's completion, a supervisor's conclusion, the hotline
office's 办结), whose audit row records the conclusion. The subject is part of that change,
so it is written in that transaction — a conclusion that rolls back leaves no subject, and
one that commits always has one — and writes no audit row of its own. It needs to be inside
that transaction (like ``rectification_open_for``); called outside any, it refuses."""

from __future__ import annotations

import datetime

from django.db import transaction

from onewindow.ratings.models import Subject


def subject_expect(
    *,
    kind: str,
    ref: str | int,
    number: str,
    title: str,
    channel: str,
    service_code: str = "",
    service_name: str = "",
    department_id: int | None = None,
    handled_by_id: int | None = None,
    rater_id: int | None = None,
    person_id: int | None = None,
    link: str = "",
    concluded_at: datetime.datetime,
) -> int:
    """Register a concluded case or request as ratable by its resident (一事一评) and answer
    the subject's id. Idempotent on (kind, ref): the same thing concluding again keeps its
    one subject — unrated, it takes the new snapshot (who handled it, when it concluded);
    rated, it is left as it is. Runs inside the caller's transaction; no audit row."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("subject_expect runs inside the concluding app's transaction")
    if kind not in Subject.Kind.values:
        raise ValueError(f"unknown subject kind {kind!r}")
    if channel not in Subject.Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    values = {
        "number": str(number)[:32],
        "title": str(title)[:200],
        "channel": channel,
        "service_code": str(service_code)[:100],
        "service_name": str(service_name)[:200],
        "department_id": department_id,
        "handled_by_id": handled_by_id,
        "rater_id": rater_id,
        "person_id": person_id,
        "link": str(link)[:300],
        "concluded_at": concluded_at,
    }
    key = {"kind": kind, "ref": str(ref)[:64]}
    found = Subject.objects.filter(**key).values_list("pk", flat=True).first()
    if found is None:
        # the caller holds its own row's lock, so no one else registers the same thing now;
        # ignore_conflicts keeps a stray second registration from failing the conclusion
        Subject.objects.bulk_create([Subject(**key, **values)], ignore_conflicts=True)
        return int(Subject.objects.filter(**key).values_list("pk", flat=True).get())
    Subject.objects.filter(pk=found, rating__isnull=True).update(**values)
    return int(found)
