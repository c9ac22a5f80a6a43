"""The department's side of a bad rating's rectification (整改), 谁办理谁负责: the return visit
of a real-name rating (回访: its rectifier may see who rated, each look audited), and the
answer — fixed (已整改), explained (解释说明: what the resident wanted has no basis in law or
policy, and which rule says so) or an appeal (申诉) against a mistaken or malicious rating,
which the platform office reviews (upheld: the rating is struck out of the statistics;
rejected: back to the department with the office's note).

After a fix or an explanation the rater is told, and rates the fix once (``rectify_fix``).
Each move is one use case: one durable transaction, the rectification locked, one audit
row written last."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import FieldError, ValidationFailed
from onewindow.identity.selectors import person_for_user_id, person_row_get
from onewindow.ratings import audit_events
from onewindow.ratings.models import Rating, Rectification
from onewindow.ratings.services._rectify_common import (
    ANSWER_MAX,
    LIVE,
    NOTE_MAX,
    WrongState,
    lock,
    lock_for_department,
    reviewer_required,
    text_required,
)
from onewindow.ratings.services.rectify_fix import fix_invite_prepare

if TYPE_CHECKING:
    from onewindow.identity.models import User

Status = Rectification.Status
Outcome = Rectification.Outcome


@dataclass(frozen=True)
class RaterContact:
    """Who rated, for the return visit only."""

    name: str
    phone: str


def _rater_person_id(rating: Rating) -> int | None:
    subject = rating.subject
    if subject.person_id:
        return subject.person_id
    user_id = rating.rated_by_id or subject.rater_id
    person = person_for_user_id(user_id=user_id) if user_id else None
    return person.pk if person is not None else None


def _visit_allowed(row: Rectification) -> None:
    if not row.rating.real_name or row.visit_due is None:
        raise WrongState(_("这是一条匿名评价，无需回访，也不能查看评价人。"))
    if row.status not in LIVE:
        raise WrongState(_("这条差评整改已结束，不能再回访。"))


@transaction.atomic(durable=True)
def rectification_contact_view(*, user: User, rectification_id: int) -> RaterContact:
    """The rater's name and phone, for the return visit of a real-name bad rating, shown to
    the rectifier of the rectification's department; every look is audited."""
    row = lock_for_department(user=user, rectification_id=rectification_id)
    _visit_allowed(row)
    person_id = _rater_person_id(row.rating)
    person = person_row_get(pk=person_id) if person_id else None
    if person is None:
        raise WrongState(_("没有评价人的联系方式。"))
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.RECTIFICATION_VIEW_CONTACT,
        target=row,
        purpose="差评回访",
        changes={"rating": row.rating_id},
    )
    return RaterContact(name=person.name, phone=person.phone)


@transaction.atomic(durable=True)
def rectification_visit(
    *, user: User, rectification_id: int, note: str, now: datetime.datetime | None = None
) -> Rectification:
    """Record the return visit (回访) of a real-name bad rating: once."""
    now = now or timezone.now()
    row = lock_for_department(user=user, rectification_id=rectification_id)
    _visit_allowed(row)
    if row.visited_at is not None:
        raise WrongState(_("已记录过回访。"))
    row.visit_note = text_required(
        note, field="note", message=_("请填写回访情况。"), limit=NOTE_MAX
    )
    row.visited_at = now
    row.save(update_fields=["visit_note", "visited_at"])
    late = row.visit_due is not None and timezone.localdate(now) > row.visit_due
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.RECTIFICATION_VISIT,
        target=row,
        changes={"visited_at": now.isoformat(), "late": late},
    )
    return row


ANSWER_REQUIRED = {
    Outcome.FIXED: _("请填写整改情况：做了什么、结果如何。"),
    Outcome.EXPLAINED: _("请填写向评价人作出的解释说明。"),
    Outcome.APPEAL: _("请填写申诉理由：为什么这是误评或恶意差评。"),
}


@transaction.atomic(durable=True)
def rectification_answer(
    *,
    user: User,
    rectification_id: int,
    outcome: str,
    answer: str,
    legal_basis: str = "",
    now: datetime.datetime | None = None,
) -> Rectification:
    """The department's answer to an open rectification: ``fixed`` (what was done),
    ``explained`` (the explanation and the law or policy it rests on), or ``appeal`` (why
    the rating is mistaken or malicious: to the platform office's review). After a fix or
    an explanation the rater is asked to rate the fix."""
    now = now or timezone.now()
    if outcome not in Outcome.values:
        message = _("请选择整改结果。")
        raise ValidationFailed(message, errors=[FieldError("required", message, "outcome")])
    row = lock_for_department(user=user, rectification_id=rectification_id)
    if row.status == Status.APPEALED:
        raise WrongState(_("申诉正在复核中，复核结果出来前不能再反馈。"))
    if row.status != Status.OPEN:
        raise WrongState(_("这条差评整改已反馈，不能重复反馈。"))
    text = text_required(
        answer, field="answer", message=ANSWER_REQUIRED[Outcome(outcome)], limit=ANSWER_MAX
    )
    basis = ""
    if outcome == Outcome.EXPLAINED:
        basis = text_required(
            legal_basis,
            field="legal_basis",
            message=_("请填写解释所依据的法律法规或政策文件。"),
            limit=NOTE_MAX,
        )
    row.outcome = outcome
    row.answer = text
    row.legal_basis = basis
    row.answered_by = user
    row.answered_at = now
    row.status = Status.APPEALED if outcome == Outcome.APPEAL else Status.ANSWERED
    row.save(
        update_fields=["outcome", "answer", "legal_basis", "answered_by", "answered_at", "status"]
    )
    if row.status == Status.ANSWERED:
        fix_invite_prepare(row, now=now)  # the link now, the messages once this commits
    late = timezone.localdate(now) > row.due
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.RECTIFICATION_ANSWER,
        target=row,
        changes={"outcome": outcome, "status": row.status, "late": late},
    )
    return row


@transaction.atomic(durable=True)
def rectification_appeal_decide(
    *,
    user: User,
    rectification_id: int,
    upheld: bool,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Rectification:
    """The platform office's review of a department's appeal (申诉复核): upheld, the rating
    is voided (out of every statistic) and the rectification ends; rejected, it is open
    again for the department, with the office's note."""
    now = now or timezone.now()
    reviewer_required(user)
    row = lock(rectification_id)
    if row.status != Status.APPEALED:
        raise WrongState(_("这条差评整改没有待复核的申诉。"))
    if upheld:
        row.appeal_note = (note or "").strip()[:NOTE_MAX]
        row.status = Status.VOIDED
        Rating.objects.filter(pk=row.rating_id).update(voided=True)
        row.rating.voided = True
    else:
        row.appeal_note = text_required(
            note, field="note", message=_("请填写不予支持的理由。"), limit=NOTE_MAX
        )
        row.status = Status.OPEN
        row.outcome = ""
    row.appeal_decided_by = user
    row.appeal_decided_at = now
    row.save(
        update_fields=["appeal_note", "status", "outcome", "appeal_decided_by", "appeal_decided_at"]
    )
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.RECTIFICATION_APPEAL_DECIDE,
        target=row,
        changes={"upheld": upheld, "status": row.status, "rating": row.rating_id},
    )
    return row
