"""Rectification and the clock: due days counted in working days (over the 2026 National Day
holiday and its make-up Saturday), the limits held as data and changed by an operator, and
the beat's supervision of the overdue, once."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.core.errors import ValidationFailed
from onewindow.notify.models import Message
from onewindow.ratings import audit_events
from onewindow.ratings.models import Rectification, TimeLimit
from onewindow.ratings.services.rectify import rectification_visit
from onewindow.ratings.services.rectify_limits import time_limit_save
from onewindow.ratings.services.rectify_supervise import rectifications_supervise_overdue
from onewindow.ratings.tests.rectify_scene import CST, Scene, rectification_make, scene_make
from onewindow.testing.fixtures import OnCommit

pytestmark = pytest.mark.django_db

# The last working day before the National Day and Mid-Autumn holiday (10月1日–7日; Saturday
# 10 October is a make-up working day).
SEPT_30 = datetime.datetime(2026, 9, 30, 16, 0, tzinfo=CST)


@pytest.fixture
def scene() -> Scene:
    return scene_make()


def test_a_bad_rating_before_national_day_is_due_in_15_working_days(scene: Scene) -> None:
    rect = rectification_make(scene, now=SEPT_30)
    # 10-08, 09, 10 (Sat, make-up), 12–16, 19–23, 26, 27: the 15th working day
    assert rect.due == datetime.date(2026, 10, 27)
    # the return visit: the first working day after the holiday
    assert rect.visit_due == datetime.date(2026, 10, 8)


def test_an_anonymous_bad_rating_has_no_visit_due(scene: Scene) -> None:
    rect = rectification_make(scene, now=SEPT_30, real_name=False)
    assert (rect.due, rect.visit_due) == (datetime.date(2026, 10, 27), None)


def test_the_limits_held_as_data_apply_to_rectifications_opened_afterwards(
    scene: Scene,
) -> None:
    before = rectification_make(scene, now=SEPT_30)
    time_limit_save(actor=Actor.system("test"), step="rectify", working_days=5)
    time_limit_save(actor=Actor.system("test"), step="visit", working_days=2)
    after = rectification_make(scene, now=SEPT_30)
    assert after.due == datetime.date(2026, 10, 13)  # 10-08, 09, 10, 12, 13
    assert after.visit_due == datetime.date(2026, 10, 9)
    before.refresh_from_db()
    assert before.due == datetime.date(2026, 10, 27)
    saved = AuditEvent.objects.filter(action=audit_events.TIME_LIMIT_SAVE).order_by("seq")
    assert [e.changes for e in saved] == [
        {"step": "rectify", "from": 15, "to": 5},
        {"step": "visit", "from": 1, "to": 2},
    ]


@pytest.mark.parametrize(("step", "days"), [("rectify", 0), ("rectify", 61), ("other", 3)])
def test_a_limit_out_of_range_is_refused(step: str, days: int) -> None:
    with pytest.raises(ValidationFailed):
        time_limit_save(actor=Actor.system("test"), step=step, working_days=days)
    assert not TimeLimit.objects.exists()


def test_the_command_lists_and_sets_the_limits(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("ratings_time_limits", "--set", "appeal_review=3")
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "rectify\t15\tdefault\t差评整改",
        "visit\t1\tdefault\t差评回访",
        "appeal_review\t3\theld\t申诉复核",
    ]


# -- supervision ---------------------------------------------------------------------------


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), CST)


def test_an_unvisited_rectification_is_supervised_the_day_after_the_visit_was_due(
    scene: Scene, commit: OnCommit
) -> None:
    rect = rectification_make(scene, now=SEPT_30)
    assert rectifications_supervise_overdue(now=_at(datetime.date(2026, 10, 8), 20)) == 0
    with commit():
        assert rectifications_supervise_overdue(now=_at(datetime.date(2026, 10, 9))) == 1
    rect.refresh_from_db()
    assert rect.supervised_at == _at(datetime.date(2026, 10, 9))
    told = Message.objects.filter(source_key=f"ratings:rectification:{rect.pk}:supervise")
    assert {(m.recipient_id, m.title, m.link) for m in told} == {
        (scene.rectifier_a.pk, "差评回访督办", f"/ratings/work/{rect.pk}/"),
        (scene.reviewer.pk, "差评回访督办", ""),
    }
    number = rect.rating.subject.number
    assert {m.body for m in told} == {
        f"差评整改{number}（个体工商户设立登记）未在期限（2026-10-08）内回访，已列入督办，请尽快回访。"
    }


def test_supervision_is_once_however_often_the_beat_runs(scene: Scene, commit: OnCommit) -> None:
    rect = rectification_make(scene, now=SEPT_30)
    assert rect.visit_due is not None
    rectification_visit(
        user=scene.rectifier_a, rectification_id=rect.pk, note="已回访", now=_at(rect.visit_due)
    )
    assert rectifications_supervise_overdue(now=_at(datetime.date(2026, 10, 27), 20)) == 0
    day_after = _at(datetime.date(2026, 10, 28))
    with commit():
        assert rectifications_supervise_overdue(now=day_after) == 1
        assert rectifications_supervise_overdue(now=day_after) == 0
        assert rectifications_supervise_overdue(now=_at(datetime.date(2026, 11, 5))) == 0
    messages = Message.objects.filter(source_key=f"ratings:rectification:{rect.pk}:supervise")
    assert sorted(m.recipient_id for m in messages) == sorted(
        [scene.rectifier_a.pk, scene.reviewer.pk]
    )
    assert {m.title for m in messages} == {"差评整改督办"}
    assert AuditEvent.objects.filter(action=audit_events.RECTIFICATION_SUPERVISE).count() == 1


def test_an_answered_or_appealed_rectification_is_not_supervised_for_its_due_day(
    scene: Scene,
) -> None:
    rect = rectification_make(scene, now=SEPT_30, real_name=False)
    Rectification.objects.filter(pk=rect.pk).update(status=Rectification.Status.APPEALED)
    assert rectifications_supervise_overdue(now=_at(datetime.date(2026, 11, 30))) == 0
