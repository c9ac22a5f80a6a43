"""The resident's rating of one concluded case or request (一事一评): signed in, or through
the one-time link of the invitation; five levels on the channel's dimensions, reasons from
the fixed list when it is bad, their own words. A bad rating opens its rectification in the
same transaction."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from onewindow.ratings import audit_events
from onewindow.ratings.models import Dimension, Rating, Reason, Subject
from onewindow.ratings.rules import TEXT_MAX, dimensions_for, is_bad, is_id
from onewindow.ratings.services.links import link_redeem
from onewindow.ratings.services.rectify_open import rectification_open_for

if TYPE_CHECKING:
    from onewindow.identity.models import User


class SubjectNotFound(NotFound):
    code = "subject_not_found"

    def __init__(self) -> None:
        super().__init__(_("没有找到可由您评价的办件或诉求。"))


class AlreadyRated(Conflict):
    code = "already_rated"

    def __init__(self) -> None:
        super().__init__(_("您已评价过，每件事只能评价一次。"))


def _level(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= 5 else None
    if isinstance(value, str) and value.strip().isdigit():
        return _level(int(value.strip()))
    return None


def _check(
    *,
    subject: Subject,
    level: object,
    dimensions: Mapping[str, object],
    reasons: Sequence[str],
    text: str,
) -> tuple[int, dict[str, int], list[str], str]:
    """The rating as it is kept, or ValidationFailed naming every field that is wrong."""
    errors: list[FieldError] = []

    def bad(field: str, message: Any, code: str = "invalid") -> None:
        errors.append(FieldError(code=code, message=message, field=field))

    overall = _level(level)
    if overall is None:
        bad("level", _("请选择整体满意度。"), "required")
    wanted = dimensions_for(subject.channel)
    given = dict(dimensions or {})
    kept: dict[str, int] = {}
    for name in given:
        if name not in {d.value for d in wanted}:
            bad(f"dimensions.{name}", _("该事项不评价这一项。"))
    for dimension in wanted:
        raw = given.get(dimension.value)
        if dimension == Dimension.OVERALL and raw is None:
            raw = level  # the overall level is the rating's level
        value = _level(raw)
        if value is None:
            if dimension != Dimension.OVERALL:
                bad(
                    f"dimensions.{dimension.value}",
                    _("请为“%(dimension)s”选择满意度。") % {"dimension": dimension.label},
                    "required",
                )
            continue
        kept[dimension.value] = value
    if overall is not None and kept.get(Dimension.OVERALL, overall) != overall:
        bad("dimensions.overall", _("整体满意度须与评价等级一致。"))
    chosen = list(dict.fromkeys(str(r) for r in reasons or []))
    unknown = [r for r in chosen if r not in Reason.values]
    if unknown:
        bad("reasons", _("请从列表中选择原因。"))
    words = (text or "").strip()
    if len(words) > TEXT_MAX:
        bad("text", _("评价内容最多 %(max)d 个字，请精简。") % {"max": TEXT_MAX}, "too_long")
    if overall is not None and is_bad(overall):
        if not chosen:
            bad("reasons", _("不满意时请至少选择一项原因。"), "required")
        elif Reason.OTHER in chosen and not words:
            bad("text", _("选择“其他”时，请写明原因。"), "required")
    else:
        chosen = []  # reasons are asked only of a bad rating (差评原因)
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    assert overall is not None
    return overall, kept, chosen, words


def _locked_subject(subject_id: int | None) -> Subject | None:
    if subject_id is None or not is_id(subject_id):
        return None
    return Subject.objects.select_for_update().filter(pk=subject_id).first()


@transaction.atomic(durable=True)
def rating_submit(
    *,
    user: User | None = None,
    token: str = "",
    subject_id: int | None = None,
    level: object,
    dimensions: Mapping[str, object] | None = None,
    reasons: Sequence[str] = (),
    text: str = "",
    via: str = Rating.Via.WEB,
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> Rating:
    """Rate a concluded case or request once: as its signed-in rater (``user`` and
    ``subject_id``), or with the one-time link's ``token`` (no sign-in; the link is used up
    by the rating). Errors: SubjectNotFound (not theirs, or no such subject), LinkNotFound /
    LinkGone, AlreadyRated, ValidationFailed by field (``level``, ``dimensions.<name>``,
    ``reasons``, ``text``). A rating of 不满意 or worse opens its rectification."""
    now = now or timezone.now()
    if token:
        link = link_redeem(token=token, now=now)
        if subject_id is not None and link.subject_id != subject_id:
            raise SubjectNotFound()
        subject = _locked_subject(link.subject_id)
        rated_by_id = subject.rater_id if subject is not None else None
        via = Rating.Via.SMS_LINK
    else:
        subject = _locked_subject(subject_id)
        if user is None or subject is None or subject.rater_id != user.pk:
            raise SubjectNotFound()
        rated_by_id = user.pk
    if subject is None:
        raise SubjectNotFound()
    if via not in Rating.Via.values:
        raise ValueError(f"unknown way of rating {via!r}")
    if Rating.objects.filter(subject=subject).exists():
        raise AlreadyRated()
    overall, kept, chosen, words = _check(
        subject=subject,
        level=level,
        dimensions=dimensions or {},
        reasons=reasons,
        text=text,
    )
    try:
        with transaction.atomic():  # two at once on a database without row locks
            rating = Rating.objects.create(
                subject=subject,
                level=overall,
                dimensions=kept,
                reasons=chosen,
                text=words,
                via=via,
                rated_by_id=rated_by_id,
                real_name=subject.person_id is not None,
            )
    except IntegrityError as exc:
        raise AlreadyRated() from exc
    rectification = rectification_open_for(rating=rating, now=now) if rating.bad else None
    # who rated is the audit row's actor and no more: not in its changes
    audit_record(
        actor=actor or Actor.from_user(user),
        action=audit_events.RATING_SUBMIT,
        target=rating,
        changes={
            "subject": subject.pk,
            "kind": subject.kind,
            "level": overall,
            "via": via,
            "rectification": rectification.pk if rectification is not None else None,
        },
    )
    return rating
