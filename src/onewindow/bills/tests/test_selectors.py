"""Reads for other apps: the citizen page's bill section (with outages and the last-updated
time), bills due in a window (batched), contribution gaps, and the demo seed."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import cast

import pytest

from onewindow.bills import selectors, services
from onewindow.bills.models import Bill, Contribution, ProviderSyncState
from onewindow.bills.selectors import BillSection, bill_home_section, bills_due_between
from onewindow.identity.models import Person
from onewindow.testing.bills import bind
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_home_section_lists_unpaid_first_then_latest_paid(resident, summer) -> None:
    water = bind(resident, "gz-water", "4401234567")
    power = bind(resident, "gz-power", "8800112233")
    services.subscription_sync(subscription_id=water.pk)
    services.subscription_sync(subscription_id=power.pk)
    section = bill_home_section(user=resident.user)
    assert isinstance(section, BillSection) and section.unavailable == []
    assert section.updated_at is not None
    # Overdue arrears (the fake's unpaid December and April water bills) first, then July's
    # bills due on 25 August.
    assert [(i.kind_label, i.period, i.overdue) for i in section.items[:4]] == [
        ("水费", "2025-12", True),
        ("水费", "2026-04", True),
        ("水费", "2026-07", False),
        ("电费", "2026-07", False),
    ]
    assert section.items[2].due_on == datetime.date(2026, 8, 25)
    assert all(isinstance(i.amount, Decimal) for i in section.items)
    unpaid = [i for i in section.items if not i.paid]
    assert unpaid == sorted(unpaid, key=lambda i: i.due_on or datetime.date.max)
    assert len(section.items) <= 5
    assert all(i.url.startswith("/bills/") for i in section.items)
    # July's electricity bill: summer usage twice the spring's.
    july = Bill.objects.get(subscription=power, period="2026-07")
    april = Bill.objects.get(subscription=power, period="2026-04")
    assert july.usage is not None and april.usage is not None
    assert july.usage == april.usage * 2


def test_a_provider_that_is_down_is_named_with_its_last_update(resident, summer, settings) -> None:
    water = bind(resident, "gz-water", "4401234567")
    services.subscription_sync(subscription_id=water.pk)
    synced = datetime.datetime.now(tz=datetime.UTC)
    summer.shift(datetime.timedelta(hours=7))
    settings.BILLS_FAKE_FAILING = ("gz-water",)
    services.subscription_sync(subscription_id=water.pk)
    section = bill_home_section(user=resident.user)
    assert len(section.unavailable) == 1
    outage = section.unavailable[0]
    assert (outage.provider_name, outage.kind_label) == ("广州市自来水有限公司", "水费")
    assert outage.last_updated_at == synced
    assert selectors.since(outage.last_updated_at) == 420
    assert section.items  # what was fetched before is still shown
    assert section.updated_at is None  # no healthy provider to vouch for


def test_nothing_bound_is_an_empty_section(resident) -> None:
    assert bill_home_section(user=resident.user) == BillSection(
        items=[], updated_at=None, unavailable=[]
    )


def test_bills_due_between_in_batches(resident, neighbour, summer) -> None:
    a = bind(resident, "gz-water", "4401234567")
    b = bind(neighbour, "gz-water", "4401999888")
    for sub in (a, b):
        services.subscription_sync(subscription_id=sub.pk)
    rows = list(
        bills_due_between(
            start=datetime.date(2026, 8, 1), end=datetime.date(2026, 8, 31), batch_size=1
        )
    )
    assert sorted((p, u, s.period) for p, u, s in rows) == sorted(
        [
            (resident.pk, resident.user_id, "2026-07"),
            (neighbour.pk, neighbour.user_id, "2026-07"),
        ]
    )
    assert all(not s.paid and s.due_on == datetime.date(2026, 8, 25) for _p, _u, s in rows)
    services.subscription_unbind(user=neighbour.user, subscription_id=b.pk)
    assert [
        p
        for p, _u, _s in bills_due_between(
            start=datetime.date(2026, 8, 1), end=datetime.date(2026, 8, 31)
        )
    ] == [resident.pk]


def test_contribution_gaps_are_the_months_missing_or_unpaid(resident, summer) -> None:
    si = bind(resident, "gz-si", "SI440106001")
    services.subscription_sync(subscription_id=si.pk)
    months = set(Contribution.objects.filter(subscription=si).values_list("period", flat=True))
    assert len(months) == 12
    Contribution.objects.filter(subscription=si, period="2026-03").delete()
    Contribution.objects.filter(subscription=si).exclude(period="2026-03").update(paid=True)
    Contribution.objects.filter(subscription=si, period="2025-11").update(paid=False)
    gaps = selectors.contribution_gaps(person_id=resident.pk)
    assert [(g.period, g.kind_label, g.provider_name) for g in gaps] == [
        ("2025-11", "社会保险", "广州市社会保险基金管理中心"),
        ("2026-03", "社会保险", "广州市社会保险基金管理中心"),
    ]


def test_demo_seed_binds_water_electricity_and_social_insurance(summer) -> None:
    people = [cast(Person, PersonFactory(name="陈静")), cast(Person, PersonFactory(name="刘洋"))]
    subs = services.bills_demo_seed(people=people)
    assert sorted(s.kind for s in subs) == sorted(["water", "electricity", "social_insurance"] * 2)
    assert all(s.last_synced_at is None for s in subs)  # as bound; synced rows below
    for person in people:
        assert person.user is not None
        section = bill_home_section(user=person.user)
        assert section.items and section.updated_at is not None
    again = services.bills_demo_seed(people=people)
    assert {s.pk for s in again} == {s.pk for s in subs}
    assert ProviderSyncState.objects.filter(circuit="closed").count() == 3
