"""The sweep's run: the rule and the cursor read once, a batch's pushes and the cursor's move
in one transaction (a crash anywhere in it writes nothing, and the sweep redoes the batch),
the cursor moved only from where the run saw it (another worker, a rule switched off or
edited), one audit row per day's sweep, the pushes handed to workers a few hundred at a
time, and the database's check of made-before, cool-down and opt-outs the same as
:func:`plan_many`'s."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError

from onewindow.audit.models import AuditEvent
from onewindow.identity.selectors import person_rows_window
from onewindow.notify.models import Message
from onewindow.outreach import _record, _sweep
from onewindow.outreach.evaluate import Match
from onewindow.outreach.models import PushCursor, PushLog, PushOptOut, PushRule
from onewindow.outreach.services import push_sweep_batch, push_sweep_rule
from onewindow.testing.outreach import resident_with_id_card

pytestmark = pytest.mark.django_db

CITY = ZoneInfo("Asia/Shanghai")
MORNING = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=CITY)
RULE = "id-card-expiring"


@pytest.fixture
def people(rules: None) -> list[Any]:
    PushRule.objects.filter(code=RULE).update(enabled=True)
    return [resident_with_id_card(datetime.date(2027, 1, 5 + n)) for n in range(5)]


@pytest.fixture
def morning() -> Iterator[None]:
    with time_machine.travel(MORNING, tick=False):
        yield


def pushed() -> list[int]:
    return sorted(PushLog.objects.values_list("person_id", flat=True))


def windows_calling(monkeypatch: pytest.MonkeyPatch, at: int, do: Callable[[], object]) -> None:
    """Run ``do`` when the sweep reads its ``at``-th window (from 1), before the window."""
    calls = {"n": 0}

    def window(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == at:
            do()
        return person_rows_window(**kwargs)

    monkeypatch.setattr(_sweep, "person_rows_window", window)


def test_a_crash_inside_a_batch_writes_nothing_and_the_sweep_redoes_it(
    people: list[Any], morning: None, commit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = _sweep._advance
    calls = {"n": 0}

    def advance(*args: Any, **kwargs: Any) -> bool:
        calls["n"] += 1
        if calls["n"] == 2:  # the second batch's pushes are written, the cursor not yet
            raise RuntimeError("the worker dies")
        return real(*args, **kwargs)

    monkeypatch.setattr(_sweep, "_advance", advance)
    with commit(), pytest.raises(RuntimeError):
        push_sweep_rule(rule_code=RULE, batch=2)
    assert pushed() == [p.pk for p in people[:2]]  # the first batch's, not the second's
    assert PushCursor.objects.get().last_person_id == people[1].pk
    monkeypatch.setattr(_sweep, "_advance", real)
    with commit():
        result = push_sweep_rule(rule_code=RULE, batch=2)
    assert (result.scanned, result.pushes) == (3, 3)
    assert pushed() == [p.pk for p in people]
    assert Message.objects.count() == 5
    assert Message.objects.values("recipient").distinct().count() == 5


def test_a_crash_in_the_last_batch_leaves_the_sweep_to_be_finished_and_audited_once(
    people: list[Any], morning: None, commit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(**kwargs: Any) -> None:
        raise RuntimeError("the audit chain is unavailable")

    monkeypatch.setattr(_sweep, "audit_record", fail)
    with commit(), pytest.raises(RuntimeError):
        push_sweep_rule(rule_code=RULE, batch=2)
    cursor = PushCursor.objects.get()
    assert (cursor.last_person_id, cursor.done) == (people[3].pk, False)
    assert pushed() == [p.pk for p in people[:4]]
    monkeypatch.undo()
    with commit():
        assert push_sweep_rule(rule_code=RULE, batch=2).pushes == 1
        assert push_sweep_rule(rule_code=RULE, batch=2).pushes == 0  # done for the day
    assert pushed() == [p.pk for p in people]
    audit = AuditEvent.objects.get(action="outreach.push.sweep")
    assert audit.changes == {
        "day": "2026-12-07",
        "scanned": 5,
        "pushes": 5,
        "after": people[-1].pk,
    }


def test_the_days_sweep_is_audited_once_when_it_reaches_the_end(
    people: list[Any], morning: None, commit: Any
) -> None:
    with commit():
        first = push_sweep_rule(rule_code=RULE, batch=2, max_batches=2)
    assert (first.scanned, first.pushes, first.batches) == (4, 4, 2)
    sweeps = AuditEvent.objects.filter(action__in=["outreach.push.sweep", "outreach.push.batch"])
    assert not sweeps.exists()
    with commit():
        rest = push_sweep_rule(rule_code=RULE, batch=2)
    assert (rest.scanned, rest.pushes, rest.batches) == (1, 1, 1)
    assert [(a.action, a.target_id, a.changes) for a in sweeps] == [
        (
            "outreach.push.sweep",
            str(PushRule.objects.get(code=RULE).pk),
            {"day": "2026-12-07", "scanned": 5, "pushes": 5, "after": people[-1].pk},
        )
    ]
    cursor = PushCursor.objects.get()
    assert (cursor.done, cursor.matched, cursor.scanned) == (True, 5, 5)


def test_a_run_reads_the_rule_and_the_cursor_once(
    people: list[Any], morning: None, django_assert_num_queries: Any
) -> None:
    push_sweep_rule(rule_code=RULE, batch=1, max_batches=1)  # the day's cursor exists
    # the rule and the cursor; then each batch: the window, BEGIN, the pushes checked and
    # written, the cursor's move, COMMIT (a savepoint and its release inside the test's
    # transaction)
    with django_assert_num_queries(2 + 3 * 5):
        result = push_sweep_rule(rule_code=RULE, batch=1, max_batches=3)
    assert (result.batches, result.pushes) == (3, 3)


def test_a_rule_switched_off_during_the_sweep_stops_it_at_once(
    people: list[Any], morning: None, commit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    windows_calling(
        monkeypatch, 2, lambda: PushRule.objects.filter(code=RULE).update(enabled=False)
    )
    with commit():
        result = push_sweep_rule(rule_code=RULE, batch=2)
    assert (result.pushes, result.batches) == (2, 2)  # the second batch wrote nothing
    assert pushed() == [p.pk for p in people[:2]]
    cursor = PushCursor.objects.get()
    assert (cursor.last_person_id, cursor.done, cursor.matched) == (people[1].pk, False, 2)


def test_a_rule_edited_during_the_sweep_is_read_again_for_the_rest(
    people: list[Any], morning: None, commit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def edit() -> None:  # a new text, the rule still switched on
        rule = PushRule.objects.get(code=RULE)
        rule.template = "身份证将于{id_card_expiry}到期。"
        rule.save()

    windows_calling(monkeypatch, 2, edit)
    with commit():
        result = push_sweep_rule(rule_code=RULE, batch=2)
    assert (result.pushes, result.batches) == (5, 4)  # the second batch, done again
    texts = list(PushLog.objects.order_by("person_id").values_list("text", flat=True))
    assert texts[2:] == [f"身份证将于2027-01-{7 + n:02d}到期。" for n in range(3)]
    assert texts[0].startswith("您的居民身份证将于2027-01-05到期")


def test_a_cursor_another_worker_moved_is_not_moved_again(
    people: list[Any], morning: None, commit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def other_worker() -> None:  # takes the next three residents, past this run's window
        assert push_sweep_batch(rule_code=RULE, batch=3).pushes == 3

    windows_calling(monkeypatch, 2, other_worker)
    with commit():
        result = push_sweep_rule(rule_code=RULE, batch=2)
    assert result.pushes == 2  # the other worker made the rest
    assert pushed() == [p.pk for p in people]
    assert Message.objects.count() == 5
    cursor = PushCursor.objects.get()
    assert (cursor.done, cursor.last_person_id) == (True, people[-1].pk)
    assert (cursor.matched, cursor.scanned) == (5, 5)  # every resident looked at once


def test_a_push_another_writer_made_meanwhile_runs_the_batch_again(
    people: list[Any], morning: None, commit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = _record.record_checked
    calls = {"n": 0}

    def checked(*args: Any, **kwargs: Any) -> list[int] | None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise IntegrityError("duplicate key value violates uniq_push_rule_person_object")
        return real(*args, **kwargs)

    monkeypatch.setattr(_record, "record_checked", checked)
    with commit():
        result = push_sweep_rule(rule_code=RULE, batch=10)
    assert (result.pushes, calls["n"]) == (5, 2)
    assert pushed() == [p.pk for p in people]
    assert PushCursor.objects.get().matched == 5


def test_pushes_are_handed_to_workers_a_few_at_a_time(
    people: list[Any], morning: None, commit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_sweep, "DELIVER_BATCH", 2)
    with commit():
        result = push_sweep_rule(rule_code=RULE, batch=3)
    assert result.handed == (2, 2, 1)
    assert set(PushLog.objects.values_list("status", flat=True)) == {"sent"}


def test_a_new_day_starts_the_new_days_sweep(
    people: list[Any], commit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with time_machine.travel(MORNING, tick=False) as clock:

        def midnight() -> None:
            clock.move_to(datetime.datetime(2026, 12, 8, 0, 0, 1, tzinfo=CITY))

        windows_calling(monkeypatch, 2, midnight)
        with commit():
            push_sweep_rule(rule_code=RULE, batch=2)
    days = dict(PushCursor.objects.values_list("day", "last_person_id"))
    assert days[datetime.date(2026, 12, 7)] == people[3].pk  # the 7th's stopped there
    assert days[datetime.date(2026, 12, 8)] == people[-1].pk  # the 8th's from the start
    assert pushed() == [p.pk for p in people]  # the first four cooling down on the 8th


# --- the database's check is plan_many's ------------------------------------------------------


def match(person: Any, object_key: str, user_id: int | None = -1) -> Match:
    return Match(
        person_id=person.pk,
        user_id=person.user_id if user_id == -1 else user_id,
        phone="",
        region_code=person.region_code,
        object_key=object_key,
        source_key=f"push:{RULE}:{object_key}",
        text=f"text {object_key}",
        reason=f"reason {object_key}",
        link="/services/id-card-renewal/",
        channels=("inapp", "sms"),
    )


@pytest.mark.parametrize("cooldown_days", [30, 0])
@pytest.mark.parametrize("department", ["", "gz-gaj"])
def test_the_checked_insert_leaves_out_what_the_plan_leaves_out(
    rules: None, cooldown_days: int, department: str
) -> None:
    PushRule.objects.filter(code=RULE).update(
        enabled=True, cooldown_days=cooldown_days, department_code=department
    )
    rule = PushRule.objects.get(code=RULE)
    now = MORNING
    earlier = now - datetime.timedelta(days=10)
    long_ago = now - datetime.timedelta(days=40)
    who = [resident_with_id_card(None) for _ in range(9)]
    PushOptOut.objects.create(user_id=who[0].user_id, rule=rule)

    def made(person: Any, object_key: str, at: datetime.datetime, status: str) -> None:
        PushLog.objects.create(
            rule=rule,
            person_id=person.pk,
            user_id=person.user_id,
            object_key=object_key,
            source_key=f"push:{RULE}:{object_key}",
            text="t",
            reason="r",
            channels=["inapp"],
            status=status,
            send_at=at,
            created_at=at,
        )

    made(who[1], "2027-01-05", long_ago, "sent")  # the same object, long ago
    made(who[2], "2027-01-01", earlier, "sent")  # another object, lately told
    made(who[3], "2027-01-01", earlier, "opted_out")  # lately, but not told
    made(who[4], "2027-01-01", earlier, "withdrawn")
    made(who[5], "2027-01-01", long_ago, "sent")  # told before the cool-down
    made(who[6], "2027-01-01", earlier, "already_told")
    matches = [
        match(who[0], "2027-01-05"),  # turned the rule off
        match(who[1], "2027-01-05"),
        match(who[2], "2027-01-05"),
        match(who[3], "2027-01-05"),
        match(who[4], "2027-01-05"),
        match(who[5], "2027-01-05"),
        match(who[6], "2027-01-05"),
        match(who[7], "2027-01-05", user_id=None),  # no account
        match(who[8], "2027-01-05"),
    ]
    planned = _record.plan_many(rule, matches, now)
    made_ids = _record.record_checked(rule, matches, now)
    assert made_ids is not None
    written = list(PushLog.objects.filter(pk__in=made_ids).order_by("person_id"))
    assert [p.person_id for p in written] == [p.person_id for p in planned]
    expected = {who[n].pk for n in (3, 4, 5, 7, 8)}
    if not cooldown_days:  # told lately, of another object: no cool-down to keep it back
        expected |= {who[2].pk, who[6].pk}
    assert {p.person_id for p in written} == expected
    fields: tuple[str, ...] = ("user_id", "object_key", "source_key", "region_code", "text")
    fields += ("reason", "link")
    fields += ("channels", "status", "send_at", "created_at", "sent_at")
    by_person = {p.person_id: p for p in planned}
    for push in written:
        plan = by_person[push.person_id]
        assert [getattr(push, f) for f in fields] == [getattr(plan, f) for f in fields]
        assert push.rule_id == rule.pk
    assert _record.record_checked(rule, matches, now) == []  # all of them made now


def test_matches_of_one_person_are_left_to_the_plan(rules: None) -> None:
    rule = PushRule.objects.get(code=RULE)
    person = resident_with_id_card(None)
    both = [match(person, "bill:1"), match(person, "bill:2")]
    assert _record.record_checked(rule, both, MORNING) is None
    assert not PushLog.objects.exists()
