"""The rater's one rating of the fix (追评): asked in-app and by SMS (a one-time link) once
the department has answered with a fix or an explanation; rated once, signed in or through
the link, after which the rectification is closed (已办结)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import FieldError, NotFound, ValidationFailed
from onewindow.identity.selectors import departments_by_ids, person_for_user_id, person_row_get
from onewindow.notify.services import CHANNEL_INAPP, CHANNEL_SMS, Recipient, notify_tell
from onewindow.ratings import audit_events
from onewindow.ratings.models import Level, RatingLink, Rectification
from onewindow.ratings.services._rectify_common import (
    NOTE_MAX,
    RectificationNotFound,
    WrongState,
    lock,
)
from onewindow.ratings.services.links import link_find, link_issue

# how long the rater may use the SMS link to rate the fix
FIX_LINK_DAYS = 30

if TYPE_CHECKING:
    from onewindow.identity.models import User

Status = Rectification.Status
KIND = "ratings"  # notify's message kind


def rater_user_id(row: Rectification) -> int | None:
    return row.rating.rated_by_id or row.rating.subject.rater_id


def _rater_phone(row: Rectification) -> str:
    subject = row.rating.subject
    person_id = subject.person_id
    if not person_id:
        user_id = rater_user_id(row)
        person = person_for_user_id(user_id=user_id) if user_id else None
        person_id = person.pk if person is not None else None
    person_row = person_row_get(pk=person_id) if person_id else None
    return person_row.phone if person_row is not None else ""


def fix_page_path(rectification_id: int) -> str:
    return reverse("ratings_public:fix", args=[rectification_id])


def fix_link_url(token: str) -> str:
    """The link as the SMS carries it (its template holds the site's public address and
    this path, ``notify.messages``)."""
    path = reverse("ratings_public:fix_link", args=[token])
    return str(settings.LICENCES_PUBLIC_URL).rstrip("/") + path


def fix_invite_prepare(row: Rectification, *, now: datetime.datetime) -> None:
    """Inside the answer's transaction: a one-time link for the rater's phone (if one is on
    record), and the messages (in-app to their account, the link by SMS) once it commits."""
    user_id = rater_user_id(row)
    phone = _rater_phone(row)
    token = (
        link_issue(
            subject_id=row.rating.subject_id,
            purpose=RatingLink.Purpose.RATE_FIX,
            now=now,
            days=FIX_LINK_DAYS,
        )
        if phone
        else ""
    )
    rectification_id = row.pk
    transaction.on_commit(
        lambda: fix_invite_tell(
            rectification_id=rectification_id, user_id=user_id, phone=phone, token=token
        )
    )


def fix_invite_tell(*, rectification_id: int, user_id: int | None, phone: str, token: str) -> int:
    """Tell the rater the department has answered: in-app with a link to the fix page, and
    an SMS carrying the one-time link; how many messages were asked for."""
    row = Rectification.objects.select_related("rating__subject").filter(pk=rectification_id)
    rectification = row.first()
    if rectification is None:
        return 0
    subject = rectification.rating.subject
    names = {d.pk: d.name for d in departments_by_ids(ids=[rectification.department_id or 0])}
    department = names.get(rectification.department_id or 0, str(_("办理部门")))
    params = {"title": subject.title, "number": subject.number, "department": department}
    key = f"ratings:rectification:{rectification_id}:fix_invite"
    told = 0
    if user_id:
        notify_tell(
            recipient=Recipient(user_id=user_id),
            template="rating_fix_invite",
            params=params,
            kind=KIND,
            source_key=key,
            link=fix_page_path(rectification_id),
            channels={CHANNEL_INAPP},
        )
        told += 1
    if phone and token:
        notify_tell(
            recipient=Recipient(user_id=None, phone=phone),
            template="rating_fix_invite_sms",
            params={**params, "token": token},
            kind=KIND,
            source_key=key + ":sms",
            channels={CHANNEL_SMS},
        )
        told += 1
    return told


def _level_checked(level: object) -> int:
    try:
        value = int(str(level))
    except ValueError:
        value = 0
    if value not in Level.values:
        message = _("请选择对整改结果的满意程度。")
        raise ValidationFailed(message, errors=[FieldError("required", message, "level")])
    return value


def _fix_rate(row: Rectification, *, level: int, text: str, now: datetime.datetime) -> None:
    if row.fix_rated_at is not None or row.status == Status.CLOSED:
        raise WrongState(_("您已评价过整改结果，每条整改只能评价一次。"))
    if row.status != Status.ANSWERED:
        raise WrongState(_("部门尚未反馈整改情况，暂时不能评价。"))
    row.fix_level = level
    row.fix_text = (text or "").strip()[:NOTE_MAX]
    row.fix_rated_at = now
    row.closed_at = now
    row.status = Status.CLOSED
    # a conditional UPDATE as well, for databases without row locks (SQLite): of two
    # ratings at once (the page and the link), the second finds it closed
    changed = Rectification.objects.filter(
        pk=row.pk, status=Status.ANSWERED, fix_rated_at__isnull=True
    ).update(
        fix_level=row.fix_level,
        fix_text=row.fix_text,
        fix_rated_at=now,
        closed_at=now,
        status=Status.CLOSED,
    )
    if not changed:
        raise WrongState(_("您已评价过整改结果，每条整改只能评价一次。"))


@transaction.atomic(durable=True)
def rectification_fix_rate(
    *,
    user: User,
    rectification_id: int,
    level: int,
    text: str = "",
    now: datetime.datetime | None = None,
) -> Rectification:
    """The signed-in rater rates the fix once (追评); the rectification is closed."""
    now = now or timezone.now()
    value = _level_checked(level)
    row = lock(rectification_id)
    if rater_user_id(row) != user.pk:
        raise RectificationNotFound()  # someone else's rating: as if there were none
    _fix_rate(row, level=value, text=text, now=now)
    audit_record(
        actor=Actor.from_user(user),
        action=audit_events.RECTIFICATION_FIX_RATE,
        target=row,
        changes={"fix_level": value, "via": "web"},
    )
    return row


class LinkInvalid(NotFound):
    code = "link_invalid"

    def __init__(self) -> None:
        super().__init__(_("评价链接无效或已过期，请登录后在消息中心评价。"))


@transaction.atomic(durable=True)
def rectification_fix_rate_by_link(
    *, token: str, level: int, text: str = "", now: datetime.datetime | None = None
) -> Rectification:
    """The rater rates the fix once through the SMS's one-time link (no sign-in); the link
    is spent and the rectification is closed."""
    now = now or timezone.now()
    value = _level_checked(level)
    link = link_find(token=token, purpose=RatingLink.Purpose.RATE_FIX, lock=True)
    if link is None or link.expires_at <= now:
        raise LinkInvalid()
    row = Rectification.objects.filter(rating__subject_id=link.subject_id).first()
    if row is None:
        raise LinkInvalid()
    row = lock(row.pk)
    if link.used_at is not None:
        raise WrongState(_("您已评价过整改结果，每条整改只能评价一次。"))
    _fix_rate(row, level=value, text=text, now=now)
    if not RatingLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now):
        raise WrongState(_("您已评价过整改结果，每条整改只能评价一次。"))
    link.used_at = now
    audit_record(
        actor=Actor(id=rater_user_id(row), kind="resident", label="ratings.fix_link"),
        action=audit_events.RECTIFICATION_FIX_RATE,
        target=row,
        changes={"fix_level": value, "via": "sms_link"},
    )
    return row


__all__ = [
    "FIX_LINK_DAYS",
    "LinkInvalid",
    "fix_invite_tell",
    "rectification_fix_rate",
    "rectification_fix_rate_by_link",
]
