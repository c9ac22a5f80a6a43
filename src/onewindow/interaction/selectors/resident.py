"""A requester's own requests: the list, one with its public timeline, and (for the operator
on the phone) a caller's earlier requests by phone number."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet

from onewindow.core.pii import phone_index
from onewindow.identity.selectors import person_for_user
from onewindow.interaction.models import Move, Request

if TYPE_CHECKING:
    from onewindow.identity.models import User

LIST_FIELDS = (
    "number",
    "kind",
    "status",
    "title",
    "registered_at",
    "answer_due",
    "answered_at",
    "concluded_at",
    "solved",
    "satisfaction",
    "category__name",
    "merged_into__number",
)


def requests_of_user(*, user: User) -> QuerySet[Request]:
    """The resident's requests, newest first (real-name ones only: an anonymous request is
    nobody's)."""
    person = person_for_user(user)
    if person is None:
        return Request.objects.none()
    return (
        Request.objects.filter(person=person)
        .select_related("category", "merged_into")
        .only(*LIST_FIELDS)
        .order_by("-registered_at", "-pk")
    )


def request_for_user(*, user: User, number: str) -> Request | None:
    """One of the resident's requests, with its attachments and its public moves (and, when
    it was merged, those of the order it joined)."""
    person = person_for_user(user)
    if person is None:
        return None
    return (
        Request.objects.filter(person=person, number=number)
        .select_related("category", "merged_into", "department")
        .prefetch_related(
            "attachments",
            Prefetch("moves", queryset=Move.objects.filter(public=True), to_attr="public_moves"),
        )
        .first()
    )


def order_moves_public(*, request: Request) -> list[Move]:
    """The public timeline the requester sees: their own request's, then — once merged — the
    order's, oldest first."""
    where = Q(request=request)
    if request.merged_into_id:
        where |= Q(request_id=request.merged_into_id)
    return list(Move.objects.filter(where, public=True).order_by("at", "pk"))


def requests_by_phone(*, phone: str, limit: int = 20) -> list[Request]:
    """A caller's earlier requests (their phone number's blind index), newest first."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if not digits:
        return []
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return list(
        Request.objects.filter(phone_bidx=phone_index(digits))
        .select_related("category")
        .only(*LIST_FIELDS[:-1], "channel")
        .order_by("-registered_at", "-pk")[:limit]
    )


def request_filed_with_key(*, client_key: str) -> bool:
    """Whether a request was already filed with this submission key (the API answers it 200
    instead of 201)."""
    return bool(client_key) and Request.objects.filter(client_key=client_key).exists()
