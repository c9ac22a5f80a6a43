"""The household registration resource lists the children registered with the resident (the
demo city's data source: fixed for the printed residents, generated the same every time for
the others), and the platform's own grant covers the field once an upgrade adds it."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.audit.services import Actor
from onewindow.exchange.datasources import FakeCityDataSource
from onewindow.exchange.models import CallLog, Grant, Resource
from onewindow.exchange.services import exchange_query, platform_grant_ensure
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("test")
RESOURCE = "gz-gaj.household-registration"
CITY = ZoneInfo("Asia/Shanghai")


def household(person: Any) -> dict[str, Any]:
    record = FakeCityDataSource().fetch(RESOURCE, person)
    assert record is not None
    return record


@pytest.mark.parametrize(
    ("moment", "born"),
    [
        (datetime.datetime(2026, 12, 4, 10, 0, tzinfo=CITY), "2021-03-18"),  # enrolling 2027
        (datetime.datetime(2027, 8, 31, 10, 0, tzinfo=CITY), "2021-03-18"),
        (datetime.datetime(2027, 9, 1, 10, 0, tzinfo=CITY), "2022-03-18"),  # enrolling 2028
    ],
)
def test_a_printed_resident_has_a_son_of_school_age_in_the_coming_enrolment(
    moment: datetime.datetime, born: str
) -> None:
    parent = PersonFactory(phone="13800000004", name="梁国华", region_code="440112")
    with time_machine.travel(moment, tick=False):
        record = household(parent)
    assert record["children"] == [{"name": "梁子墨", "gender": "男", "birth_date": born}]


def test_the_other_printed_residents_households_match_their_household_sizes() -> None:
    lonely = PersonFactory(phone="13800000003", name="黄淑仪")
    mother = PersonFactory(phone="13800000005", name="林晓琳")
    assert household(lonely)["children"] == []
    assert household(mother)["children"] == [
        {"name": "林浩然", "gender": "男", "birth_date": "2014-09-02"}
    ]


def test_generated_children_are_the_same_every_time_and_born_to_an_adult_parent() -> None:
    people: list[Any] = [PersonFactory(birth_date=datetime.date(1985, 6, 1)) for _ in range(12)]
    lists = [household(p)["children"] for p in people]
    assert lists == [household(p)["children"] for p in people]
    assert any(lists) and not all(lists)  # some households have children, some none
    for person, children in zip(people, lists, strict=True):
        births = [datetime.date.fromisoformat(c["birth_date"]) for c in children]
        assert births == sorted(births)
        for child, born in zip(children, births, strict=True):
            assert born.year - 1985 >= 24 and born.year <= 2025
            assert child["name"].startswith(person.name[:1]) and child["gender"] in ("男", "女")


def test_an_upgrade_adding_children_reaches_the_platforms_grant_and_its_query() -> None:
    platform = platform_grant_ensure(actor=ACTOR, resource_code=RESOURCE)
    resource = Resource.objects.get(code=RESOURCE)
    assert "children" in resource.field_codes()
    before = [f for f in resource.fields if f["code"] != "children"]  # the vocabulary before
    Resource.objects.filter(pk=resource.pk).update(fields=before)
    Grant.objects.filter(consumer=platform, resource=resource).update(
        fields=[f["code"] for f in before]
    )
    parent: Any = PersonFactory(phone="13800000004", name="梁国华", region_code="440112")
    with time_machine.travel(datetime.datetime(2026, 12, 4, 10, 0, tzinfo=CITY), tick=False):
        consumer = platform_grant_ensure(actor=ACTOR, resource_code=RESOURCE)
        result = exchange_query(
            consumer=consumer,
            resource_code=RESOURCE,
            person=parent,
            fields=["children"],
            purpose="测试",
            request_id="household-children-1",
        )
    assert Grant.objects.get(consumer=platform, resource=resource).fields[-1] == "children"
    assert result.ok and result.found and result.withheld == []
    assert result.data == {
        "children": [{"name": "梁子墨", "gender": "男", "birth_date": "2021-03-18"}]
    }
    log = CallLog.objects.get(request_id="household-children-1")
    assert (log.resource_code, log.fields, log.outcome) == (RESOURCE, ["children"], "ok")


def test_a_case_check_shows_the_children_readably_and_masks_them_for_others() -> None:
    from onewindow.exchange.selectors import case_fetched_records
    from onewindow.workflow.actions import exchange_variable

    parent: Any = PersonFactory(phone="13800000005", name="林晓琳", region_code="440111")
    consumer = platform_grant_ensure(actor=ACTOR, resource_code=RESOURCE)
    result = exchange_query(
        consumer=consumer,
        resource_code=RESOURCE,
        person=parent,
        purpose="办件审查",
        request_id="household-children-2",
        case_number="GZ-TEST-0001",
    )
    variables = {exchange_variable(RESOURCE): {"applicant": result.data}}

    def children_line(full: bool) -> str:
        (record,) = case_fetched_records(
            "GZ-TEST-0001", variables, variable_of=exchange_variable, reveal=lambda _c: full
        )
        return dict(record.lines)["同户子女"]

    assert children_line(True) == "林浩然，男，2014-09-02"
    assert children_line(False) == "***"
