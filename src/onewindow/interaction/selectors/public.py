"""A request's texts as others may read them (the Open311 interface, a published answer):
phone, identity and card numbers and the requester's name masked (``core.masking``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from onewindow.core.masking import mask_text
from onewindow.identity.selectors import person_rows_get
from onewindow.interaction.models import Kind, Request


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


def publishable(request: Request) -> bool:
    """Whether the order's answer may join the knowledge base (公开答复): a concluded
    consultation, not kept from the departments (保密), with an answer, not published yet."""
    return (
        request.kind == Kind.CONSULTATION
        and request.status == Request.Status.CONCLUDED
        and not request.confidential
        and bool(request.answer.strip())
        and not request.published
    )


@dataclass(frozen=True)
class PublishDraft:
    """What publishing the order's answer would put in the knowledge base, masked."""

    title: str
    answer: str


def publish_draft(*, request_id: int) -> PublishDraft | None:
    """The masked question and answer of an order whose answer may be published, else
    None."""
    request = Request.objects.filter(pk=request_id).first()
    if request is None or not publishable(request):
        return None
    names = requester_names([request])[request.pk]
    return PublishDraft(
        title=mask_text(request.title, names=names),
        answer=mask_text(request.answer, names=names),
    )
