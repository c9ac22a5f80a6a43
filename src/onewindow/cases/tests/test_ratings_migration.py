"""The move of case ratings to ratings (migration 0007): every concluded case becomes a
subject that may be rated, each old star rating a rating of that level with its comment and
time; a withdrawn case and a draft stay out; backwards, the old rows come back."""

from __future__ import annotations

import datetime
from typing import Any, cast

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from onewindow.cases.models import Case, CaseTask
from onewindow.catalog.models import Service, ServiceVersion
from onewindow.identity.models import Department
from onewindow.ratings.models import Rating, Subject
from onewindow.testing.factories import DepartmentFactory, make_person, make_staff, user_of

BEFORE = [("cases", "0006_task_held_by_company"), ("ratings", "0001_initial")]
AFTER = [("cases", "0007_ratings_move")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_case_ratings_move_to_ratings_and_back() -> None:
    department = cast(Department, DepartmentFactory(code="gz-migrate", name="迁移测试局"))
    person = make_person()
    user = user_of(person)
    clerk = make_staff(department=department).user
    service = Service.objects.create(
        code="migrate-service", name="迁移测试事项", kind="personal", department=department
    )
    version = ServiceVersion.objects.create(
        service=service, number=1, definition={}, process_spec={}, checksum="m"
    )
    concluded = timezone.now() - datetime.timedelta(days=40)

    def case(number: str, status: str, **more: Any) -> Case:
        return Case.objects.create(
            service_version=version,
            created_by=user,
            applicant_person=person,
            number=number,
            status=status,
            **more,
        )

    rated = case("M1", "approved", concluded_at=concluded)
    CaseTask.objects.create(
        case=rated,
        uid="u1",
        element_id="accept",
        name="受理",
        department=department,
        role_code="window_clerk",
        status="completed",
        completed_by=clerk,
        completed_at=concluded,
    )
    unrated = case("M2", "rejected", concluded_at=concluded)
    case("M3", "withdrawn", concluded_at=concluded)
    Case.objects.create(service_version=version, created_by=user, status="draft")
    try:
        old_apps = _migrate(BEFORE)
        OldRating = old_apps.get_model("cases", "Rating")
        given = timezone.now() - datetime.timedelta(days=39)
        row = OldRating.objects.create(
            case_id=rated.pk, score=2, comment=" 等了很久 ", rated_by_id=user.pk
        )
        OldRating.objects.filter(pk=row.pk).update(created_at=given)
        _migrate(AFTER)

        subjects = {s.number: s for s in Subject.objects.all()}
        assert set(subjects) == {"M1", "M2"}
        first = subjects["M1"]
        assert (first.kind, first.ref, first.title, first.channel) == (
            "case",
            str(rated.pk),
            "迁移测试事项",
            "online",
        )
        assert (first.department, first.handled_by, first.rater, first.person) == (
            department,
            clerk,
            user,
            person,
        )
        assert (first.link, first.concluded_at) == ("/cases/M1/", concluded)
        rating = Rating.objects.get()
        assert (rating.subject, rating.level, rating.dimensions, rating.text) == (
            first,
            2,
            {"overall": 2},
            "等了很久",
        )
        assert (rating.rated_by, rating.via, rating.created_at) == (user, "web", given)
        assert not hasattr(subjects["M2"], "rating") and subjects["M2"].ref == str(unrated.pk)
        assert "cases_rating" not in connection.introspection.table_names()

        # backwards: the old row again, from the rating
        back = _migrate(BEFORE)
        [old] = back.get_model("cases", "Rating").objects.all()
        assert (old.case_id, old.score, old.comment, old.created_at) == (
            rated.pk,
            2,
            "等了很久",
            given,
        )
    finally:
        _migrate(AFTER)
    assert Subject.objects.count() == 2 and Rating.objects.count() == 1  # found, not doubled
