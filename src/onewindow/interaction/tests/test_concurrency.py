"""Two dispatchers, one order (PostgreSQL: real concurrent transactions): one dispatch wins,
the other is refused, and the order has one set of parts."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from onewindow.interaction.models import Assignment, Move
from onewindow.interaction.services import WrongState, request_dispatch
from onewindow.interaction.tests.orders import make_request

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions"),
]


def test_two_dispatchers_one_order_one_dispatch(streetlights, dispatcher, dept):
    request = make_request(category=streetlights)
    targets = [dept("gz-cgj").pk, dept("gz-shuiwj").pk]
    barrier = threading.Barrier(2)
    won: list[int] = []
    refused: list[BaseException] = []

    def dispatch(department_id: int) -> None:
        try:
            barrier.wait()
            request_dispatch(user=dispatcher, request_id=request.pk, department_id=department_id)
            won.append(department_id)
        except WrongState as exc:
            refused.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatch, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1 and len(refused) == 1
    assert (
        list(Assignment.objects.filter(request=request).values_list("department_id", flat=True))
        == won
    )
    assert Move.objects.filter(request=request, action=Move.Action.DISPATCH).count() == 1
