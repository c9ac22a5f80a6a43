"""The public statistics on a small scene, figure by figure: counts by level, satisfaction
rate, bad ratings, rectification rate and time in working days, per department, per service
and in all; a voided rating counts nowhere; a month holds the ratings given in it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction

from onewindow.ratings.models import Rectification
from onewindow.ratings.selectors.stats import (
    period_of,
    ratings_stats,
    ratings_stats_compute,
    recent_months,
    service_rating_summary,
)
from onewindow.ratings.services.rectify import rectification_answer, rectification_appeal_decide
from onewindow.ratings.tests.rectify_scene import (
    CST,
    Scene,
    rating_make,
    rectification_make,
    scene_make,
)

pytestmark = pytest.mark.django_db


def _at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=CST)


def _closed(rect: Rectification, *, answered: datetime.datetime) -> None:
    Rectification.objects.filter(pk=rect.pk).update(
        status=Rectification.Status.CLOSED,
        outcome="fixed",
        answer="已整改",
        answered_at=answered,
        fix_level=4,
        fix_rated_at=answered,
        closed_at=answered,
    )


@pytest.fixture
def scene() -> Scene:
    scene = scene_make()
    a: dict[str, Any] = {"department": scene.dept_a}
    b: dict[str, Any] = {
        "department": scene.dept_b,
        "service_code": "rt-shebaoka",
        "service_name": "社会保障卡申领",
    }
    for level in (5, 5, 4, 3):
        rating_make(scene, level=level, now=_at(10, 12), **a)
    # closed: opened Monday 10-12, answered Thursday 10-15: 3 working days
    _closed(rectification_make(scene, level=2, now=_at(10, 12), **a), answered=_at(10, 15))
    rectification_make(scene, level=1, now=_at(10, 13), **a)  # still open
    voided = rectification_make(scene, level=1, now=_at(10, 14), **a)
    rectification_answer(
        user=scene.rectifier_a, rectification_id=voided.pk, outcome="appeal", answer="误评"
    )
    rectification_appeal_decide(user=scene.reviewer, rectification_id=voided.pk, upheld=True)
    rating_make(scene, level=4, now=_at(10, 9), **b)
    # closed: opened Friday 10-09, answered Saturday 10-10 (a make-up working day): 1
    _closed(rectification_make(scene, level=2, now=_at(10, 9), **b), answered=_at(10, 10, 17))
    rating_make(scene, level=5, now=_at(11, 2), **a)  # November
    return scene


def _row(rows: Any, key: str) -> Any:
    return next(row for row in rows if row.key == key)


def test_october_by_department(scene: Scene) -> None:
    stats = ratings_stats_compute(period=period_of("2026-10"))
    a = _row(stats.departments, str(scene.dept_a.pk))
    assert (a.name, a.levels, a.total, a.satisfied, a.bad) == (
        "测试区市场监督管理局",
        (2, 1, 1, 1, 1),
        6,
        4,
        2,
    )
    assert (a.satisfaction_rate, a.rectified, a.rectification_rate, a.average_working_days) == (
        Decimal("66.7"),
        1,
        Decimal("50.0"),
        Decimal("3.0"),
    )
    b = _row(stats.departments, str(scene.dept_b.pk))
    assert (b.levels, b.total, b.satisfaction_rate, b.bad, b.rectification_rate) == (
        (0, 1, 0, 1, 0),
        2,
        Decimal("50.0"),
        1,
        Decimal("100.0"),
    )
    assert b.average_working_days == Decimal("1.0")
    assert [row.key for row in stats.departments] == [str(scene.dept_a.pk), str(scene.dept_b.pk)]


def test_october_by_service_and_in_all(scene: Scene) -> None:
    stats = ratings_stats_compute(period=period_of("2026-10"))
    assert [(row.key, row.name, row.total) for row in stats.services] == [
        ("rt-getihu", "个体工商户设立登记", 6),
        ("rt-shebaoka", "社会保障卡申领", 2),
    ]
    total = stats.total
    assert (total.total, total.satisfied, total.bad, total.rectified) == (8, 5, 3, 2)
    assert (total.satisfaction_rate, total.rectification_rate, total.average_working_days) == (
        Decimal("62.5"),
        Decimal("66.7"),
        Decimal("2.0"),
    )


def test_all_time_holds_november_too_and_the_voided_rating_nowhere(scene: Scene) -> None:
    stats = ratings_stats_compute(period=period_of(""))
    a = _row(stats.departments, str(scene.dept_a.pk))
    assert (a.levels, a.total) == ((3, 1, 1, 1, 1), 7)
    assert stats.total.total == 9
    november = ratings_stats_compute(period=period_of("2026-11"))
    assert [(row.key, row.total, row.bad, row.rectification_rate) for row in november.services] == [
        ("rt-getihu", 1, 0, None)
    ]
    assert ratings_stats_compute(period=period_of("2026-12")).departments == ()


def test_the_figures_take_a_fixed_number_of_queries(
    scene: Scene, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(8):
        ratings_stats_compute(period=period_of(""))
    for level in (5, 4, 2):
        rating_make(scene, level=level, now=_at(10, 20), department=scene.dept_b)
    with django_assert_max_num_queries(8):
        ratings_stats_compute(period=period_of(""))


def test_the_page_figures_are_kept_for_a_few_minutes(scene: Scene) -> None:
    first = ratings_stats(month="2026-10")
    rating_make(scene, level=5, now=_at(10, 20))
    assert ratings_stats(month="2026-10").total.total == first.total.total == 8
    cache.clear()
    assert ratings_stats(month="2026-10").total.total == 9


def test_a_services_summary_for_its_guide(scene: Scene) -> None:
    summary = service_rating_summary(service_code="rt-getihu")
    assert summary is not None
    assert (summary.total, summary.bad, summary.satisfaction_rate) == (7, 2, Decimal("71.4"))
    assert service_rating_summary(service_code="never-rated") is None


def test_a_month_is_the_citys_calendar_month() -> None:
    october = period_of("2026-10")
    assert october.start is not None and october.end is not None
    assert (october.start.isoformat(), october.end.isoformat()) == (
        "2026-10-01T00:00:00+08:00",
        "2026-11-01T00:00:00+08:00",
    )
    december = period_of("2026-12")
    assert december.end is not None and december.end.year == 2027
    assert period_of("2026-13").key == period_of("junk").key == ""
    assert recent_months(today=datetime.date(2026, 2, 3), count=3) == [
        "2026-02",
        "2026-01",
        "2025-12",
    ]


def test_a_rating_given_just_before_midnight_city_time_is_in_its_month(scene: Scene) -> None:
    with transaction.atomic():
        rating_make(scene, level=5, now=datetime.datetime(2026, 12, 31, 23, 30, tzinfo=CST))
    december = ratings_stats_compute(period=period_of("2026-12"))
    assert december.total.total == 1
