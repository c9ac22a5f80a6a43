"""The rectification of a bad rating, move by move: who may make each move, in which state,
what it writes (one audit row each) and whom it tells."""

from __future__ import annotations

import datetime
import json

import pytest
from django.conf import settings

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.identity.models import User
from onewindow.notify.messages import render_sms_text
from onewindow.notify.models import Message, SmsMessage
from onewindow.ratings import audit_events
from onewindow.ratings.models import Rating, RatingLink, Rectification
from onewindow.ratings.services.links import token_hash
from onewindow.ratings.services.rectify import (
    rectification_answer,
    rectification_appeal_decide,
    rectification_contact_view,
    rectification_visit,
)
from onewindow.ratings.services.rectify_fix import (
    LinkInvalid,
    rectification_fix_rate,
    rectification_fix_rate_by_link,
)
from onewindow.ratings.tests.rectify_scene import CST, Scene, rectification_make, scene_make
from onewindow.testing.fixtures import OnCommit

pytestmark = pytest.mark.django_db

Status = Rectification.Status


@pytest.fixture
def scene() -> Scene:
    return scene_make()


@pytest.fixture
def rect(scene: Scene) -> Rectification:
    return rectification_make(scene)


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def _fixed(scene: Scene, rect: Rectification, commit: OnCommit) -> Rectification:
    with commit():
        return rectification_answer(
            user=scene.rectifier_a,
            rectification_id=rect.pk,
            outcome="fixed",
            answer="已对窗口人员进行培训，一次性告知所需材料。",
        )


def _sms_token(scene: Scene) -> str:
    sms = SmsMessage.objects.get(source_key__endswith=":fix_invite:sms")
    assert sms.template == "rating_fix_invite_sms"
    return str(json.loads(sms.params)["token"])


# -- the return visit -------------------------------------------------------------------


def test_the_rectifier_sees_the_raters_contact_and_each_look_is_audited(
    scene: Scene, rect: Rectification
) -> None:
    contact = rectification_contact_view(user=scene.rectifier_a, rectification_id=rect.pk)
    assert (contact.name, contact.phone) == ("陈小明", "13800138001")
    rectification_contact_view(user=scene.rectifier_a, rectification_id=rect.pk)
    looks = _events(audit_events.RECTIFICATION_VIEW_CONTACT)
    assert [(e.actor_id, e.target_id, e.purpose) for e in looks] == [
        (scene.rectifier_a.pk, str(rect.pk), "差评回访"),
    ] * 2
    assert "13800138001" not in str([e.changes for e in looks])


def test_another_department_and_staff_without_the_permission_see_no_contact(
    scene: Scene, rect: Rectification
) -> None:
    with pytest.raises(NotFound):
        rectification_contact_view(user=scene.rectifier_b, rectification_id=rect.pk)
    with pytest.raises(PermissionDenied):
        rectification_contact_view(user=scene.handler_a, rectification_id=rect.pk)
    assert _events(audit_events.RECTIFICATION_VIEW_CONTACT) == []


def test_an_anonymous_rating_has_no_visit_and_no_contact(scene: Scene) -> None:
    rect = rectification_make(scene, real_name=False)
    assert rect.visit_due is None
    with pytest.raises(Conflict, match="匿名评价"):
        rectification_contact_view(user=scene.rectifier_a, rectification_id=rect.pk)
    with pytest.raises(Conflict, match="匿名评价"):
        rectification_visit(user=scene.rectifier_a, rectification_id=rect.pk, note="已电话联系")


def test_the_visit_is_recorded_once(scene: Scene, rect: Rectification) -> None:
    at = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=CST)
    with pytest.raises(ValidationFailed) as empty:
        rectification_visit(user=scene.rectifier_a, rectification_id=rect.pk, note=" ")
    assert empty.value.errors[0].field == "note"
    rectification_visit(
        user=scene.rectifier_a, rectification_id=rect.pk, note="已电话回访，致歉并说明。", now=at
    )
    rect.refresh_from_db()
    assert (rect.visited_at, rect.visit_note) == (at, "已电话回访，致歉并说明。")
    with pytest.raises(Conflict, match="已记录过回访"):
        rectification_visit(user=scene.rectifier_a, rectification_id=rect.pk, note="又一次")
    assert len(_events(audit_events.RECTIFICATION_VISIT)) == 1


# -- the answer -------------------------------------------------------------------------


def test_a_fix_is_answered_and_the_rater_is_asked_in_app_and_by_sms(
    scene: Scene, rect: Rectification, commit: OnCommit
) -> None:
    _fixed(scene, rect, commit)
    rect.refresh_from_db()
    assert (rect.status, rect.outcome, rect.answered_by_id) == (
        Status.ANSWERED,
        "fixed",
        scene.rectifier_a.pk,
    )
    message = Message.objects.get(recipient=scene.resident.user)
    assert message.title == "请评价整改结果"
    assert message.body == (
        f"您对个体工商户设立登记（编号{rect.rating.subject.number}）的评价，"
        "测试区市场监督管理局已反馈整改情况，请对整改结果进行评价。"
    )
    assert message.link == f"/ratings/fix/{rect.pk}/"
    token = _sms_token(scene)
    sms = SmsMessage.objects.get(template="rating_fix_invite_sms")
    assert render_sms_text(sms.template, json.loads(sms.params), sign_name="一网通办") == (
        f"【一网通办】您对“个体工商户设立登记”（编号{rect.rating.subject.number}）的评价，"
        "测试区市场监督管理局已反馈整改情况，请对整改结果作出评价（链接30天内有效，仅可使用一次）："
        f"{str(settings.LICENCES_PUBLIC_URL).rstrip('/')}/ratings/fix/r/{token}/"
    )
    link = RatingLink.objects.get()
    assert (link.purpose, link.token_hash, link.used_at) == ("rate_fix", token_hash(token), None)
    assert token not in link.token_hash
    answered = _events(audit_events.RECTIFICATION_ANSWER)
    assert [e.changes for e in answered] == [
        {"outcome": "fixed", "status": "answered", "late": False}
    ]


def test_an_explanation_needs_the_rule_it_rests_on(scene: Scene, rect: Rectification) -> None:
    with pytest.raises(ValidationFailed) as missing:
        rectification_answer(
            user=scene.rectifier_a,
            rectification_id=rect.pk,
            outcome="explained",
            answer="营业执照须由经营者本人申请。",
        )
    assert missing.value.errors[0].field == "legal_basis"
    rectification_answer(
        user=scene.rectifier_a,
        rectification_id=rect.pk,
        outcome="explained",
        answer="营业执照须由经营者本人申请。",
        legal_basis="《促进个体工商户发展条例》第十条",
    )
    rect.refresh_from_db()
    assert (rect.status, rect.legal_basis) == (Status.ANSWERED, "《促进个体工商户发展条例》第十条")


@pytest.mark.parametrize(
    ("outcome", "field"), [("", "outcome"), ("maybe", "outcome"), ("fixed", "answer")]
)
def test_an_answer_without_outcome_or_text_is_refused_at_its_field(
    scene: Scene, rect: Rectification, outcome: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        rectification_answer(
            user=scene.rectifier_a, rectification_id=rect.pk, outcome=outcome, answer=""
        )
    assert refused.value.errors[0].field == field
    rect.refresh_from_db()
    assert rect.status == Status.OPEN


def test_only_the_handling_departments_rectifier_answers(scene: Scene, rect: Rectification) -> None:
    with pytest.raises(NotFound):
        rectification_answer(
            user=scene.rectifier_b, rectification_id=rect.pk, outcome="fixed", answer="x"
        )
    with pytest.raises(PermissionDenied):
        rectification_answer(
            user=scene.handler_a, rectification_id=rect.pk, outcome="fixed", answer="x"
        )
    with pytest.raises(PermissionDenied):
        rectification_answer(
            user=scene.reviewer, rectification_id=rect.pk, outcome="fixed", answer="x"
        )


def test_an_answered_rectification_is_not_answered_again(
    scene: Scene, rect: Rectification, commit: OnCommit
) -> None:
    _fixed(scene, rect, commit)
    with pytest.raises(Conflict, match="不能重复反馈"):
        rectification_answer(
            user=scene.rectifier_a, rectification_id=rect.pk, outcome="fixed", answer="再来"
        )


def test_an_answer_after_the_due_day_is_recorded_as_late(scene: Scene, rect: Rectification) -> None:
    late = datetime.datetime.combine(rect.due, datetime.time(10), CST) + datetime.timedelta(days=1)
    rectification_answer(
        user=scene.rectifier_a, rectification_id=rect.pk, outcome="fixed", answer="已整改",
        now=late,
    )  # fmt: skip
    assert _events(audit_events.RECTIFICATION_ANSWER)[0].changes["late"] is True


# -- the appeal -------------------------------------------------------------------------


def _appeal(scene: Scene, rect: Rectification) -> None:
    rectification_answer(
        user=scene.rectifier_a,
        rectification_id=rect.pk,
        outcome="appeal",
        answer="评价人评价的是另一部门的事项，属误评。",
    )


def test_an_appeal_goes_to_the_office_and_waits(scene: Scene, rect: Rectification) -> None:
    _appeal(scene, rect)
    rect.refresh_from_db()
    assert rect.status == Status.APPEALED
    assert RatingLink.objects.count() == 0  # nobody is asked to rate an appeal
    with pytest.raises(Conflict, match="申诉正在复核中"):
        rectification_answer(
            user=scene.rectifier_a, rectification_id=rect.pk, outcome="fixed", answer="x"
        )


def test_an_upheld_appeal_voids_the_rating(scene: Scene, rect: Rectification) -> None:
    _appeal(scene, rect)
    rectification_appeal_decide(
        user=scene.reviewer, rectification_id=rect.pk, upheld=True, note="核实为误评。"
    )
    rect.refresh_from_db()
    assert (rect.status, rect.appeal_note, rect.appeal_decided_by_id) == (
        Status.VOIDED,
        "核实为误评。",
        scene.reviewer.pk,
    )
    assert Rating.objects.get(pk=rect.rating_id).voided is True
    with pytest.raises(Conflict):
        rectification_appeal_decide(user=scene.reviewer, rectification_id=rect.pk, upheld=False)
    assert [e.changes["upheld"] for e in _events(audit_events.RECTIFICATION_APPEAL_DECIDE)] == [
        True
    ]


def test_a_rejected_appeal_is_open_again_with_the_offices_note(
    scene: Scene, rect: Rectification
) -> None:
    _appeal(scene, rect)
    with pytest.raises(ValidationFailed) as no_note:
        rectification_appeal_decide(user=scene.reviewer, rectification_id=rect.pk, upheld=False)
    assert no_note.value.errors[0].field == "note"
    rectification_appeal_decide(
        user=scene.reviewer, rectification_id=rect.pk, upheld=False, note="评价属实，请整改。"
    )
    rect.refresh_from_db()
    assert (rect.status, rect.outcome, rect.appeal_note) == (Status.OPEN, "", "评价属实，请整改。")
    assert Rating.objects.get(pk=rect.rating_id).voided is False
    rectification_answer(
        user=scene.rectifier_a, rectification_id=rect.pk, outcome="fixed", answer="已整改"
    )


def test_only_the_platform_office_decides_appeals(scene: Scene, rect: Rectification) -> None:
    _appeal(scene, rect)
    for user in (scene.rectifier_a, scene.handler_a):
        with pytest.raises(PermissionDenied):
            rectification_appeal_decide(user=user, rectification_id=rect.pk, upheld=True)
    rect.refresh_from_db()
    assert rect.status == Status.APPEALED


def test_an_open_rectification_has_no_appeal_to_decide(scene: Scene, rect: Rectification) -> None:
    with pytest.raises(Conflict, match="没有待复核的申诉"):
        rectification_appeal_decide(user=scene.reviewer, rectification_id=rect.pk, upheld=True)


# -- the rating of the fix ------------------------------------------------------------------


def test_the_rater_rates_the_fix_once_and_it_closes(
    scene: Scene, rect: Rectification, commit: OnCommit
) -> None:
    with pytest.raises(Conflict, match="尚未反馈"):
        rectification_fix_rate(user=scene.rater, rectification_id=rect.pk, level=4)
    _fixed(scene, rect, commit)
    rectification_fix_rate(
        user=scene.rater, rectification_id=rect.pk, level=4, text="这次一次办好了。"
    )
    rect.refresh_from_db()
    assert (rect.status, rect.fix_level, rect.fix_text) == (Status.CLOSED, 4, "这次一次办好了。")
    assert rect.closed_at is not None
    with pytest.raises(Conflict, match="只能评价一次"):
        rectification_fix_rate(user=scene.rater, rectification_id=rect.pk, level=5)
    assert [e.changes for e in _events(audit_events.RECTIFICATION_FIX_RATE)] == [
        {"fix_level": 4, "via": "web"}
    ]


def test_nobody_else_rates_the_fix(scene: Scene, rect: Rectification, commit: OnCommit) -> None:
    _fixed(scene, rect, commit)
    other = scene_other_resident()
    with pytest.raises(NotFound):
        rectification_fix_rate(user=other, rectification_id=rect.pk, level=5)
    with pytest.raises(ValidationFailed):
        rectification_fix_rate(user=scene.rater, rectification_id=rect.pk, level=9)


def scene_other_resident() -> User:
    from onewindow.testing.factories import make_person, user_of

    return user_of(make_person(name="王芳"))


def test_the_sms_link_rates_the_fix_once(
    scene: Scene, rect: Rectification, commit: OnCommit
) -> None:
    _fixed(scene, rect, commit)
    token = _sms_token(scene)
    rectification_fix_rate_by_link(token=token, level=5)
    rect.refresh_from_db()
    assert (rect.status, rect.fix_level) == (Status.CLOSED, 5)
    assert RatingLink.objects.get().used_at is not None
    with pytest.raises(Conflict, match="只能评价一次"):
        rectification_fix_rate_by_link(token=token, level=1)
    with pytest.raises(LinkInvalid):
        rectification_fix_rate_by_link(token="not-a-token", level=5)
    fix = _events(audit_events.RECTIFICATION_FIX_RATE)
    assert [(e.actor_id, e.changes["via"]) for e in fix] == [(scene.rater.pk, "sms_link")]


def test_an_expired_link_rates_nothing(scene: Scene, rect: Rectification, commit: OnCommit) -> None:
    _fixed(scene, rect, commit)
    token = _sms_token(scene)
    later = RatingLink.objects.get().expires_at + datetime.timedelta(seconds=1)
    with pytest.raises(LinkInvalid):
        rectification_fix_rate_by_link(token=token, level=5, now=later)
    rect.refresh_from_db()
    assert rect.status == Status.ANSWERED
