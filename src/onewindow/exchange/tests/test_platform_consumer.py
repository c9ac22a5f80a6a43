"""The platform's own consumer is created once, however many look-ups need it at the same
moment: two workers' first look-ups both succeed with one consumer and one grant per resource
(the check-then-create used to fail the second one on the machine account's username)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from onewindow.audit.services import Actor
from onewindow.exchange import services
from onewindow.exchange.models import Consumer, Grant, Resource
from onewindow.exchange.services import (
    PLATFORM_CONSUMER,
    ConsumerExists,
    consumer_create,
    platform_consumer_ensure,
)
from onewindow.identity.models import User

ACTOR = Actor.system("test")
BARRIER_SECONDS = 3.0  # how long one look-up waits for the other to reach the same point

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one writer in at a time (BEGIN IMMEDIATE), so two look-ups cannot "
    "interleave; the race needs PostgreSQL (DATABASE_URL=postgres://…)",
)


def both_at_once(call: Callable[[], Any]) -> list[Any]:
    """Run ``call`` in two threads (each with its own database connection); return what each
    returned or raised."""
    results: list[Any] = [None, None]

    def run(index: int) -> None:
        try:
            results[index] = call()
        except Exception as exc:  # reported by the assertion on the results
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a look-up never finished"
    return results


def meet(barrier: threading.Barrier) -> None:
    """Wait for the other thread to get here too; go on alone if it is blocked elsewhere
    (waiting for this one's lock) — the fixed code is allowed to make it wait."""
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=BARRIER_SECONDS)


@pytest.fixture
def resources(departments: Any) -> list[Resource]:
    return list(Resource.objects.filter(active=True))


def platform_grants() -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for code in Grant.objects.filter(consumer__code=PLATFORM_CONSUMER).values_list(
        "resource__code", flat=True
    ):
        counts[code] = counts.get(code, 0) + 1
    return sorted(counts.items())


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_first_look_ups_at_once_get_one_platform_consumer(
    resources: list[Resource], monkeypatch: Any
) -> None:
    barrier = threading.Barrier(2)
    real_create = services.consumer_create

    def create_together(**kwargs: Any) -> Any:
        meet(barrier)  # both looked and found no consumer: now both create it
        return real_create(**kwargs)

    monkeypatch.setattr(services, "consumer_create", create_together)
    results = both_at_once(lambda: platform_consumer_ensure(actor=ACTOR))
    assert all(isinstance(result, Consumer) for result in results), results
    assert results[0].pk == results[1].pk
    assert Consumer.objects.filter(code=PLATFORM_CONSUMER).count() == 1
    assert User.objects.filter(username=f"exchange-{PLATFORM_CONSUMER}").count() == 1
    assert platform_grants() == sorted((r.code, 1) for r in resources)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_new_resource_is_granted_to_the_platform_once_when_two_look_ups_need_it(
    resources: list[Resource], monkeypatch: Any
) -> None:
    platform_consumer_ensure(actor=ACTOR)
    added = Resource.objects.create(
        code="gz-test.new-resource", name="新资源", fields=[{"code": "a", "name": "A"}]
    )
    barrier = threading.Barrier(2)
    real_create = Grant.objects.create

    def create_together(**kwargs: Any) -> Any:
        meet(barrier)  # both found the grant missing: now both create it
        return real_create(**kwargs)

    monkeypatch.setattr(Grant.objects, "create", create_together)
    results = both_at_once(lambda: platform_consumer_ensure(actor=ACTOR))
    assert all(isinstance(result, Consumer) for result in results), results
    assert dict(platform_grants())[added.code] == 1
    assert platform_grants() == sorted((r.code, 1) for r in [*resources, added])


@pytest.mark.django_db
def test_a_platform_consumer_created_meanwhile_is_read_not_created_again(
    resources: list[Resource], monkeypatch: Any
) -> None:
    """The other look-up commits its consumer between this one's check and its creation."""
    real_create = services.consumer_create

    def created_meanwhile(**kwargs: Any) -> Any:
        real_create(**kwargs)  # the other look-up
        return real_create(**kwargs)

    monkeypatch.setattr(services, "consumer_create", created_meanwhile)
    consumer = platform_consumer_ensure(actor=ACTOR)
    assert Consumer.objects.get(code=PLATFORM_CONSUMER).pk == consumer.pk
    assert platform_grants() == sorted((r.code, 1) for r in resources)


@pytest.mark.django_db
def test_a_consumer_code_or_machine_account_already_taken_is_refused_with_a_message(
    departments: Any,
) -> None:
    consumer_create(actor=ACTOR, code="zjj-housing", name="住房保障系统")
    with pytest.raises(ConsumerExists) as taken:
        consumer_create(actor=ACTOR, code="zjj-housing", name="住房保障系统")
    assert taken.value.field == "code" and "已存在" in str(taken.value.message)
    # A machine account left behind under the username a new consumer would get.
    User.objects.create(username="exchange-mzj-old", kind=User.Kind.MACHINE)
    with pytest.raises(services.ValidationFailed) as occupied:
        consumer_create(actor=ACTOR, code="mzj-old", name="旧系统")
    assert "exchange-mzj-old" in str(occupied.value.message)
    assert not Consumer.objects.filter(code="mzj-old").exists()
