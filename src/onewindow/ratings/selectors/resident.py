"""What the resident reads: the subjects they may rate and the ones they rated, one of them
for its rater, the subject a one-time link is for, and the short summary the concluding
app's page shows (``rating_summary_for``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from onewindow.ratings.models import Dimension, Level, Rating, RatingLink, Reason, Subject
from onewindow.ratings.rules import is_id
from onewindow.ratings.services.links import link_check, token_hash

if TYPE_CHECKING:
    from onewindow.identity.models import User

LIST_LIMIT = 200


@dataclass(frozen=True)
class RatingSummary:
    """A subject's rating as the page of the thing rated shows it: a link to rate while it
    is unrated, the levels once it is rated."""

    subject_id: int
    rated: bool
    rate_url: str
    level: int | None = None
    level_label: str = ""
    dimensions: tuple[tuple[str, str], ...] = ()  # (dimension, level) labels, overall first
    reasons: tuple[str, ...] = ()
    text: str = ""
    rated_at: datetime.datetime | None = None


def _summary(subject: Subject, rating: Rating | None) -> RatingSummary:
    url = reverse("ratings:rate", kwargs={"subject_id": subject.pk})
    if rating is None:
        return RatingSummary(subject_id=subject.pk, rated=False, rate_url=url)
    names = dict(Dimension.choices)
    levels = dict(Level.choices)
    reasons = dict(Reason.choices)
    return RatingSummary(
        subject_id=subject.pk,
        rated=True,
        rate_url=url,
        level=rating.level,
        level_label=str(levels.get(rating.level, rating.level)),
        dimensions=tuple(
            (str(names.get(name, name)), str(levels.get(value, value)))
            for name, value in (rating.dimensions or {}).items()
        ),
        reasons=tuple(str(reasons.get(r, r)) for r in rating.reasons or []),
        text=rating.text,
        rated_at=rating.created_at,
    )


def rating_summary_for(*, kind: str, ref: str | int) -> RatingSummary | None:
    """The rating of the case or request ``ref`` (None: it is not ratable, or not yet
    concluded). For the page its rater sees; the caller checks who looks."""
    subject = Subject.objects.select_related("rating").filter(kind=kind, ref=str(ref)).first()
    if subject is None:
        return None
    return _summary(subject, getattr(subject, "rating", None))


def summary_of(subject: Subject) -> RatingSummary:
    return _summary(subject, getattr(subject, "rating", None))


def subjects_to_rate_for(*, user: User) -> list[Subject]:
    """What the resident may still rate, latest concluded first."""
    return list(
        Subject.objects.filter(rater=user, rating__isnull=True).order_by("-concluded_at", "-pk")[
            :LIST_LIMIT
        ]
    )


def subjects_rated_by(*, user: User) -> list[Subject]:
    """What the resident rated, latest rating first."""
    return list(
        Subject.objects.filter(rater=user, rating__isnull=False)
        .select_related("rating")
        .order_by("-rating__created_at", "-pk")[:LIST_LIMIT]
    )


def subject_for_rater(*, user: User, subject_id: int) -> Subject | None:
    """The subject if ``user`` is its rater (None otherwise: not theirs, or no such)."""
    if not is_id(subject_id):
        return None
    return Subject.objects.select_related("rating").filter(pk=subject_id, rater=user).first()


def subject_for_link(*, token: str, now: datetime.datetime | None = None) -> Subject:
    """The subject a one-time rating link is for; LinkNotFound or LinkGone (used, expired)
    when it may not be used."""
    link = (
        RatingLink.objects.select_related("subject")
        .filter(token_hash=token_hash(token or ""), purpose=RatingLink.Purpose.RATE)
        .first()
    )
    link_check(link, now=now or timezone.now())
    assert link is not None
    return link.subject
