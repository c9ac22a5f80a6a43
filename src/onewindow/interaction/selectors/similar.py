"""Open requests that look like a new one nearby (附近已有类似诉求): the same category in the
same street (else district), still open, registered lately, with similar text — shown before
filing so a resident can join one instead (重复诉求并单)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from onewindow.core.masking import mask_name
from onewindow.interaction.models import Request
from onewindow.interaction.similarity import cosine, tokens

OPEN = (
    Request.Status.REGISTERED,
    Request.Status.DISPATCHED,
    Request.Status.SIGNED,
    Request.Status.ANSWERED,
)
WINDOW_DAYS = 30
MIN_SCORE = 0.35
CANDIDATES = 300


@dataclass(frozen=True)
class SimilarRequest:
    number: str
    title: str
    status: str
    status_label: str
    registered_at: datetime.datetime
    address: str
    joined: int  # requests already merged into it
    score: float


def requests_similar(
    *,
    text: str,
    region_code: str,
    category_id: int | None = None,
    street_code: str = "",
    limit: int = 3,
    exclude_number: str = "",
) -> list[SimilarRequest]:
    """Open requests of the last 30 days in the same area (and category, when known) whose
    text is like ``text``, most alike first. Nothing personal is shown: the title, the
    street-level address, the state."""
    query = Counter(tokens(text))
    if not query or not region_code:
        return []
    since = timezone.now() - datetime.timedelta(days=WINDOW_DAYS)
    rows = Request.objects.filter(
        region_code=region_code, status__in=OPEN, registered_at__gte=since
    )
    if category_id is not None:
        rows = rows.filter(category_id=category_id)
    if street_code:
        rows = rows.filter(street_code=street_code)
    if exclude_number:
        rows = rows.exclude(number=exclude_number)
    rows = rows.annotate(joined=Count("merged")).only(
        "number", "title", "content", "status", "registered_at", "address"
    )[:CANDIDATES]
    found = []
    for row in rows:
        score = cosine(query, Counter(tokens(f"{row.title} {row.content}")))
        if score >= MIN_SCORE:
            found.append(
                SimilarRequest(
                    number=row.number,
                    title=row.title,
                    status=row.status,
                    status_label=str(Request.Status(row.status).label),
                    registered_at=row.registered_at,
                    address=_street_level(row.address),
                    joined=row.joined,
                    score=round(score, 3),
                )
            )
    found.sort(key=lambda item: (-item.score, -item.registered_at.timestamp()))
    return found[:limit]


def _street_level(address: str) -> str:
    """An address without its door number: the part up to the road (路/街/道/巷) or estate."""
    for marker in ("号", "栋", "座", "单元"):
        cut = address.find(marker)
        if cut > 0:
            head = address[:cut].rstrip("0123456789-之")
            return head or mask_name(address)
    return address
