"""Two approvers at the same moment, and simultaneous submissions: no lost update, no
duplicate number. Needs a database shared between threads (PostgreSQL, or SQLite on file)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from onewindow.cases import services
from onewindow.cases.models import Case, CaseTask
from onewindow.testing.applying import act, apply, draft

CODE = "grad-employment-test"


def _threads_share_the_database() -> None:
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:"):
        pytest.skip("in-memory SQLite test database is not shared safely between threads")


def _together(calls: list[Callable[[], Any]]) -> list[str]:
    start = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call: Callable[[], Any]) -> None:
        start.wait()
        try:
            call()
            outcomes.append("ok")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_lose_nothing(parallel_service, resident, staff):
    _threads_share_the_database()
    case = apply(resident.user, CODE)
    act(staff("rsj_clerk"), case, "accept")
    edu = case.tasks.get(element_id="edu")
    police = case.tasks.get(element_id="police")
    outcomes = _together(
        [
            lambda: services.task_complete(
                user=staff("jyj_approver"), task_id=edu.pk, decision="approve"
            ),
            lambda: services.task_complete(
                user=staff("gaj_approver"), task_id=police.pk, decision="approve"
            ),
        ]
    )
    assert outcomes == ["ok", "ok"]
    case.refresh_from_db()
    assert case.tasks.filter(status=CaseTask.Status.COMPLETED).count() == 3
    act(staff("rsj_approver"), case, "hr")
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED  # both approvals reached the engine state


@pytest.mark.django_db(transaction=True)
def test_the_same_task_approved_twice_at_once_counts_once(parallel_service, resident, staff):
    _threads_share_the_database()
    case = apply(resident.user, CODE)
    act(staff("rsj_clerk"), case, "accept")
    edu = case.tasks.get(element_id="edu")
    user = staff("jyj_approver")
    outcomes = _together(
        [lambda: services.task_complete(user=user, task_id=edu.pk, decision="approve")] * 2
    )
    assert sorted(outcomes) == ["TaskFinished", "ok"]
    assert case.events.filter(kind="task_approved").count() == 2  # accept + edu


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_get_distinct_numbers(parallel_service, staff):
    _threads_share_the_database()
    from onewindow.testing.factories import PersonFactory

    people: list[Any] = [PersonFactory() for _ in range(4)]
    drafts = [draft(p.user, CODE) for p in people]

    def submitter(person: Any, case: Case) -> Callable[[], Any]:
        return lambda: services.case_submit(
            user=person.user, case_id=case.pk, token=case.submit_token
        )

    calls = [submitter(p, d) for p, d in zip(people, drafts, strict=True)]
    assert _together(calls) == ["ok"] * 4
    numbers = list(Case.objects.exclude(number=None).values_list("number", flat=True))
    assert len(set(numbers)) == 4


@pytest.mark.django_db(transaction=True)
def test_the_same_request_sent_twice_at_once_makes_one_case(city, tmp_path, resident):
    """The one-call submission looks its key up only when the insert finds it taken: the
    second of two simultaneous requests waits on the first's row, then answers with it."""
    _threads_share_the_database()
    from onewindow.audit.models import AuditEvent
    from onewindow.testing.cases import ANSWERS, definition, publish

    publish(tmp_path, service=definition(code="no-materials", materials=[]))
    results: list[tuple[str, bool]] = []

    def send() -> None:
        case, created = services.case_create_and_submit(
            user=resident.user,
            service_code="no-materials",
            form_data=ANSWERS,
            idempotency_key="same",
        )
        results.append((str(case.number), created))

    assert _together([send, send]) == ["ok", "ok"]
    assert Case.objects.count() == 1
    number = Case.objects.get().number
    assert sorted(results) == [(number, False), (number, True)]
    assert AuditEvent.objects.filter(action="cases.case.submit").count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_one_call_submissions_are_numbered_one_after_another(city, tmp_path):
    """Cases inserted first and numbered last, under the day's counter: four at once get
    four consecutive numbers, each on its row and in its own timeline."""
    _threads_share_the_database()
    from onewindow.testing.cases import OWN_ANSWERS, definition, publish
    from onewindow.testing.factories import PersonFactory

    publish(tmp_path, service=definition(code="no-materials", materials=[]))
    people: list[Any] = [PersonFactory() for _ in range(4)]

    def sender(person: Any) -> Callable[[], Any]:
        return lambda: services.case_create_and_submit(
            user=person.user,
            service_code="no-materials",
            form_data=OWN_ANSWERS,
            idempotency_key="k",
        )

    assert _together([sender(p) for p in people]) == ["ok"] * 4
    cases = list(Case.objects.order_by("number"))
    sequence = [int(str(c.number)[-5:]) for c in cases]
    assert sequence == list(range(sequence[0], sequence[0] + 4))
    for case in cases:
        assert str(case.number) in case.events.get(kind="submitted").message
