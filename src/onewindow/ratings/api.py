"""Ratings API (好差评): the resident lists what they may rate and rated, and rates a
concluded case or request once."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from onewindow.api.auth import session_or_bearer
from onewindow.api.errors import ErrorOut
from onewindow.audit.services import Actor
from onewindow.core.errors import PermissionDenied
from onewindow.ratings import selectors, services
from onewindow.ratings.models import Dimension, Level, Rating, Reason, Subject
from onewindow.ratings.rules import TEXT_MAX, dimensions_for

router = Router(tags=["ratings"])
AUTH = session_or_bearer


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class RatingIn(StrictSchema):
    level: int = Field(ge=1, le=5, description="overall: 5 非常满意 … 1 非常不满意")
    dimensions: dict[str, int] = Field(
        default_factory=dict,
        description="a level (1–5) for each dimension the subject asks (`dimensions` of "
        "GET /api/v1/me/ratings); `overall`, if given, equals `level`. Dimensions: "
        + ", ".join(Dimension.values),
    )
    reasons: list[str] = Field(
        default_factory=list,
        max_length=len(Reason.values),
        description="required when `level` ≤ 2 (不满意 or worse), ignored otherwise: "
        + ", ".join(Reason.values),
    )
    text: str = Field(default="", max_length=TEXT_MAX)


class RatingOut(Schema):
    level: int
    level_label: str
    dimensions: dict[str, int]
    reasons: list[str]
    text: str
    via: str
    created_at: datetime.datetime


class SubjectOut(Schema):
    id: int
    kind: str  # case | request
    number: str
    title: str
    channel: str
    concluded_at: datetime.datetime
    dimensions: list[str] = Field(description="what a rating of it asks, overall first")
    rating: RatingOut | None


def _errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    return {status: ErrorOut for status in statuses}


def _resident(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if getattr(user, "kind", "") != "resident":
        raise PermissionDenied(_("只有居民账号可以评价。"), code="residents_only")
    return user


def _rating_out(rating: Rating) -> dict[str, Any]:
    return {
        "level": rating.level,
        "level_label": str(Level(rating.level).label),
        "dimensions": dict(rating.dimensions or {}),
        "reasons": list(rating.reasons or []),
        "text": rating.text,
        "via": rating.via,
        "created_at": rating.created_at,
    }


def _subject_out(subject: Subject) -> dict[str, Any]:
    rating = getattr(subject, "rating", None)
    return {
        "id": subject.pk,
        "kind": subject.kind,
        "number": subject.number,
        "title": subject.title,
        "channel": subject.channel,
        "concluded_at": subject.concluded_at,
        "dimensions": [d.value for d in dimensions_for(subject.channel)],
        "rating": _rating_out(rating) if rating is not None else None,
    }


@router.get(
    "/me/ratings",
    auth=AUTH,
    response={200: list[SubjectOut], **_errors(403)},
    summary="What I may rate, and what I rated",
)
def my_ratings(request: HttpRequest) -> list[dict[str, Any]]:
    user = _resident(request)
    subjects = selectors.subjects_to_rate_for(user=user) + selectors.subjects_rated_by(user=user)
    return [_subject_out(s) for s in subjects]


@router.post(
    "/ratings/{subject_id}",
    auth=AUTH,
    response={201: RatingOut, **_errors(403, 404, 409)},
    summary="Rate a concluded case or request of mine, once (一事一评)",
)
def rating_create(
    request: HttpRequest, subject_id: int, payload: RatingIn
) -> Status[dict[str, Any]]:
    rating = services.rating_submit(
        user=_resident(request),
        subject_id=subject_id,
        level=payload.level,
        dimensions=payload.dimensions,
        reasons=payload.reasons,
        text=payload.text,
        via=Rating.Via.API,
        actor=Actor.from_request(request),
    )
    return Status(201, _rating_out(rating))
