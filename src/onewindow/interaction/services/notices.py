"""What the hotline tells requesters, after the move that caused it has committed: through
notify (in-app, SMS …), to the requester of the order and of every request merged into it.
An anonymous request, with no account and no phone, is told nothing."""

from __future__ import annotations

from collections.abc import Mapping

from django.urls import reverse

from onewindow.interaction.models import Request
from onewindow.notify.services import Recipient, notify_tell

KIND = "interaction"


def _recipient(request: Request) -> Recipient | None:
    if request.anonymous:
        return None
    user_id = request.person.user_id if request.person_id and request.person else None
    phone = request.contact_phone or ""
    if user_id is None and not phone:
        return None
    return Recipient(user_id=user_id, phone=phone)


def requesters_tell(
    *, request_id: int, template: str, params: Mapping[str, object], move: str
) -> int:
    """Tell the order's requester and those of the requests merged into it; answers how many
    were told. Each is keyed by its own request's number and ``move``: telling again writes
    nothing."""
    order = Request.objects.select_related("person").filter(pk=request_id).first()
    if order is None:
        return 0
    told = 0
    merged = Request.objects.select_related("person").filter(merged_into=order)
    for request in (order, *merged):
        recipient = _recipient(request)
        if recipient is None:
            continue
        notify_tell(
            recipient=recipient,
            template=template,
            params={"number": request.number, **params},
            kind=KIND,
            source_key=f"interaction:{request.number}:{move}",
            link=reverse("interaction:mine_detail", args=[request.number]),
        )
        told += 1
    return told


def request_registered_tell(*, request_id: int) -> int:
    """The receipt (受理回执): the order number and when an answer is due."""
    request = Request.objects.filter(pk=request_id).only("answer_due", "merged_into").first()
    if request is None:
        return 0
    target = request.merged_into_id
    params: dict[str, object] = {
        "due": request.answer_due.isoformat() if request.answer_due else ""
    }
    if target is not None:
        # a joined request is told once, for itself (the order it joined has its own number)
        order = Request.objects.filter(pk=target).values_list("number", flat=True).first()
        return _tell_one(request_id, "request_joined", {"order": order or ""}, "joined")
    return _tell_one(request_id, "request_registered", params, "registered")


def _tell_one(request_id: int, template: str, params: Mapping[str, object], move: str) -> int:
    request = Request.objects.select_related("person").get(pk=request_id)
    recipient = _recipient(request)
    if recipient is None:
        return 0
    notify_tell(
        recipient=recipient,
        template=template,
        params={"number": request.number, **params},
        kind=KIND,
        source_key=f"interaction:{request.number}:{move}",
        link=reverse("interaction:mine_detail", args=[request.number]),
    )
    return 1


def request_answered_direct_tell(*, request_id: int) -> int:
    """The answer the operator gave on the phone, in writing as well."""
    request = Request.objects.filter(pk=request_id).only("answer").first()
    if request is None:
        return 0
    answer = request.answer if len(request.answer) <= 30 else request.answer[:29] + "…"
    return _tell_one(request_id, "request_answered_direct", {"answer": answer}, "answered")
