"""Rating once (一事一评): only the rater; the five levels on the channel's dimensions, the
overall one the rating's level; reasons from the fixed list, required when it is bad; the
resident's words within their limit; every error at its field, lazily translated. A bad
rating opens its rectification in the same transaction; the audit row names no rater
beyond its actor."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils.functional import Promise

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import ValidationFailed
from onewindow.ratings import audit_events
from onewindow.ratings.models import Rating, Rectification
from onewindow.ratings.rules import TEXT_MAX
from onewindow.ratings.services import AlreadyRated, SubjectNotFound, rating_submit
from onewindow.ratings.tests.conftest import online

pytestmark = pytest.mark.django_db


def _fields(caught: pytest.ExceptionInfo[ValidationFailed]) -> dict[str | None, str]:
    return {e.field: str(e.message) for e in caught.value.errors}


def test_the_rater_rates_once_and_the_second_time_is_refused(subject, rater):
    rating = rating_submit(
        user=rater.user, subject_id=subject.pk, level=5, dimensions=online(4), text=" 很快 "
    )
    assert rating.dimensions == {
        "overall": 5,
        "efficiency": 4,
        "guide": 4,
        "convenience": 4,
        "usability": 4,
    }
    assert (rating.text, rating.via, rating.rated_by, rating.real_name) == (
        "很快",
        "web",
        rater.user,
        True,
    )
    with pytest.raises(AlreadyRated) as again:
        rating_submit(user=rater.user, subject_id=subject.pk, level=1, dimensions=online(1))
    assert (again.value.status, str(again.value.message)) == (
        409,
        "您已评价过，每件事只能评价一次。",
    )
    assert Rating.objects.count() == 1


@pytest.mark.parametrize("subject_id", [None, 0, -1, 2**64, "1"])
def test_no_such_subject_is_not_found(subject, rater, subject_id):
    with pytest.raises(SubjectNotFound) as caught:
        rating_submit(user=rater.user, subject_id=subject_id, level=5, dimensions=online(5))
    assert caught.value.status == 404


def test_someone_elses_subject_is_not_found_for_them(subject, other):
    with pytest.raises(SubjectNotFound) as caught:
        rating_submit(user=other.user, subject_id=subject.pk, level=5, dimensions=online(5))
    assert str(caught.value.message) == "没有找到可由您评价的办件或诉求。"
    assert not Rating.objects.exists()


@pytest.mark.parametrize("level", [None, "", 0, 6, "五", True, 4.5])
def test_the_level_is_one_of_five(subject, rater, level):
    with pytest.raises(ValidationFailed) as caught:
        rating_submit(user=rater.user, subject_id=subject.pk, level=level, dimensions=online(5))
    assert _fields(caught) == {"level": "请选择整体满意度。"}


def test_every_dimension_of_the_channel_is_rated_one_to_five(subject, rater):
    with pytest.raises(ValidationFailed) as caught:
        rating_submit(
            user=rater.user,
            subject_id=subject.pk,
            level=4,
            dimensions={"efficiency": 4, "guide": 9, "service_manner": 3},
        )
    assert _fields(caught) == {
        "dimensions.service_manner": "该事项不评价这一项。",
        "dimensions.guide": "请为“办事指南准确度”选择满意度。",
        "dimensions.convenience": "请为“办事便捷度”选择满意度。",
        "dimensions.usability": "请为“平台操作性”选择满意度。",
    }
    assert caught.value.status == 422


def test_the_overall_dimension_is_the_level(subject, rater):
    with pytest.raises(ValidationFailed) as caught:
        rating_submit(
            user=rater.user, subject_id=subject.pk, level=4, dimensions=online(4, overall=3)
        )
    assert _fields(caught) == {"dimensions.overall": "整体满意度须与评价等级一致。"}
    rating = rating_submit(
        user=rater.user, subject_id=subject.pk, level="4", dimensions=online(4, overall="4")
    )
    assert rating.level == 4 and rating.dimensions["overall"] == 4


@pytest.mark.parametrize(
    ("channel", "dimensions"),
    [
        ("window", ("overall", "service_efficiency", "service_skill", "service_manner")),
        ("hotline", ("overall", "service_efficiency", "service_skill", "service_manner")),
    ],
)
def test_a_window_or_hotline_service_is_rated_on_the_service_it_gave(
    expect, rater, channel, dimensions
):
    subject = expect(channel=channel)
    with pytest.raises(ValidationFailed) as caught:
        rating_submit(user=rater.user, subject_id=subject.pk, level=5, dimensions=online(5))
    assert set(_fields(caught)) == {
        "dimensions.efficiency",
        "dimensions.guide",
        "dimensions.convenience",
        "dimensions.usability",
        "dimensions.service_efficiency",
        "dimensions.service_skill",
        "dimensions.service_manner",
    }
    rating = rating_submit(
        user=rater.user,
        subject_id=subject.pk,
        level=5,
        dimensions=dict.fromkeys(dimensions[1:], 5),
    )
    assert tuple(rating.dimensions) == dimensions


@pytest.mark.parametrize("level", [2, 1])
def test_a_bad_rating_needs_a_reason_from_the_list(subject, rater, level):
    with pytest.raises(ValidationFailed) as caught:
        rating_submit(user=rater.user, subject_id=subject.pk, level=level, dimensions=online(2))
    assert _fields(caught) == {"reasons": "不满意时请至少选择一项原因。"}
    with pytest.raises(ValidationFailed) as unknown:
        rating_submit(
            user=rater.user,
            subject_id=subject.pk,
            level=level,
            dimensions=online(2),
            reasons=["too_slow", "rude"],
        )
    assert _fields(unknown) == {"reasons": "请从列表中选择原因。"}
    with pytest.raises(ValidationFailed) as other:
        rating_submit(
            user=rater.user,
            subject_id=subject.pk,
            level=level,
            dimensions=online(2),
            reasons=["other"],
        )
    assert _fields(other) == {"text": "选择“其他”时，请写明原因。"}
    rating = rating_submit(
        user=rater.user,
        subject_id=subject.pk,
        level=level,
        dimensions=online(2),
        reasons=["too_slow", "many_trips", "too_slow"],
    )
    assert rating.reasons == ["too_slow", "many_trips"] and rating.bad


def test_a_good_rating_keeps_no_reasons(subject, rater):
    rating = rating_submit(
        user=rater.user,
        subject_id=subject.pk,
        level=3,
        dimensions=online(3),
        reasons=["too_slow"],
    )
    assert rating.reasons == [] and not rating.bad


def test_the_words_are_limited(subject, rater):
    with pytest.raises(ValidationFailed) as caught:
        rating_submit(
            user=rater.user,
            subject_id=subject.pk,
            level=5,
            dimensions=online(5),
            text="好" * (TEXT_MAX + 1),
        )
    assert _fields(caught) == {"text": f"评价内容最多 {TEXT_MAX} 个字，请精简。"}
    rating = rating_submit(
        user=rater.user, subject_id=subject.pk, level=5, dimensions=online(5), text="好" * TEXT_MAX
    )
    assert len(rating.text) == TEXT_MAX


def test_the_errors_speak_the_residents_language(subject, rater):
    """A message is translated when it is shown (lazily), or, with figures in it, in the
    language of the request that caused it."""
    with pytest.raises(ValidationFailed) as caught:
        rating_submit(user=rater.user, subject_id=subject.pk, level=None, dimensions={})
    by_field = {e.field: e.message for e in caught.value.errors}
    assert isinstance(by_field["level"], Promise)
    assert by_field["dimensions.guide"] == "请为“办事指南准确度”选择满意度。"


def test_a_bad_rating_opens_the_rectification_of_whoever_handled_it(
    subject, rater, handler, department
):
    rating = rating_submit(
        user=rater.user,
        subject_id=subject.pk,
        level=1,
        dimensions=online(1),
        reasons=["poor_manner"],
        text="态度很差",
        now=datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC),
    )
    rectification = Rectification.objects.get(rating=rating)
    assert (rectification.department, rectification.handler, rectification.status) == (
        department,
        handler,
        "open",
    )
    # 15 working days from Monday 2026-11-02; the real-name rater's visit within one
    assert rectification.due == datetime.date(2026, 11, 23)
    assert rectification.visit_due == datetime.date(2026, 11, 3)


def test_a_good_rating_opens_no_rectification(subject, rater):
    rating_submit(user=rater.user, subject_id=subject.pk, level=3, dimensions=online(3))
    assert not Rectification.objects.exists()


def test_the_audit_row_is_last_and_names_no_rater_beyond_its_actor(subject, rater):
    rating = rating_submit(
        user=rater.user, subject_id=subject.pk, level=2, dimensions=online(2), reasons=["too_slow"]
    )
    row = AuditEvent.objects.order_by("-seq").first()
    assert row is not None and row.action == audit_events.RATING_SUBMIT
    assert (row.actor_id, row.target_type, row.target_id) == (
        rater.user_id,
        "ratings.rating",
        str(rating.pk),
    )
    assert row.changes == {
        "subject": subject.pk,
        "kind": "case",
        "level": 2,
        "via": "web",
        "rectification": rating.rectification.pk,
    }


def _threads_share_the_database() -> None:
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:"):
        pytest.skip("in-memory SQLite test database is not shared safely between threads")


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_give_one_rating(subject, rater):
    _threads_share_the_database()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(level: int) -> None:
        start.wait()
        try:
            rating_submit(
                user=rater.user,
                subject_id=subject.pk,
                level=level,
                dimensions=online(level),
                reasons=["too_slow"],
            )
            outcomes.append("ok")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads: list[Any] = [threading.Thread(target=submit, args=(n,)) for n in (5, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["AlreadyRated", "ok"]
    assert Rating.objects.filter(subject=subject).count() == 1
    assert Rectification.objects.count() == Rating.objects.filter(level=1).count()
