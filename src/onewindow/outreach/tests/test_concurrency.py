"""Two workers sweeping the same rule at once (PostgreSQL: real concurrent transactions)
tell each resident once."""

from __future__ import annotations

import datetime
import threading
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections

from onewindow.notify.models import Message
from onewindow.outreach.models import PushLog, PushRule
from onewindow.outreach.services import push_sweep_batch
from onewindow.testing.outreach import resident_with_id_card, rules_load

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions"),
]

MORNING = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_two_workers_on_one_sweep_tell_each_resident_once() -> None:
    rules_load()
    PushRule.objects.filter(code="id-card-expiring").update(enabled=True)
    people = [resident_with_id_card(datetime.date(2027, 1, 5 + n)) for n in range(6)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(10):
                if push_sweep_batch(rule_code="id-card-expiring", batch=2, now=MORNING).done:
                    break
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    with time_machine.travel(MORNING, tick=False):
        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors
    assert sorted(PushLog.objects.values_list("person_id", flat=True)) == [p.pk for p in people]
    assert Message.objects.count() == 6
    assert Message.objects.values("recipient").distinct().count() == 6


def test_a_runs_batches_commit_without_waiting_for_the_disk_and_then_it_waits_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from onewindow.identity.selectors import person_rows_window
    from onewindow.outreach import _sweep
    from onewindow.outreach.services import push_sweep_rule

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return str(cursor.fetchone()[0])

    seen: list[str] = []

    def window(**kwargs: Any) -> Any:
        seen.append(setting())
        return person_rows_window(**kwargs)

    rules_load()
    PushRule.objects.filter(code="id-card-expiring").update(enabled=True)
    resident_with_id_card(datetime.date(2027, 1, 5))
    monkeypatch.setattr(_sweep, "person_rows_window", window)
    with time_machine.travel(MORNING, tick=False):
        assert push_sweep_rule(rule_code="id-card-expiring", batch=2, now=MORNING).pushes == 1
    assert seen == ["off"]
    assert setting() == "on"
