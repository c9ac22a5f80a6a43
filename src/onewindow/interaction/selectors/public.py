"""A request's texts as others may read them (the Open311 interface, a published answer):
phone, identity and card numbers and the requester's name masked (``core.masking``)."""

from __future__ import annotations

from collections.abc import Iterable

from onewindow.core.masking import mask_text
from onewindow.identity.selectors import person_rows_get
from onewindow.interaction.models import Request


def requester_names(requests: Iterable[Request]) -> dict[int, tuple[str, ...]]:
    """Each request's requester names (the contact's and the account's), by request id,
    with one query for all the accounts."""
    rows = list(requests)
    people = person_rows_get(pks={r.person_id for r in rows if r.person_id})
    names: dict[int, tuple[str, ...]] = {}
    for r in rows:
        person = people.get(r.person_id) if r.person_id else None
        found = (str(r.contact_name or ""), person.name if person is not None else "")
        names[r.pk] = tuple(dict.fromkeys(n for n in found if n))
    return names


def request_text_masked(request: Request, text: str) -> str:
    """``text`` (the request's content, its answer) with its requester's data masked."""
    return mask_text(text, names=requester_names([request]).get(request.pk, ()))
