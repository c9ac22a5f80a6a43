"""The message centre (站内信) as the page shows it: the person's messages with the words
for their kinds, the filters, and the pages. Reads ``notify.selectors``; three queries a
page whatever the number of messages."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from onewindow.notify.selectors import InboxMessage, inbox_counts, inbox_messages

if TYPE_CHECKING:
    from onewindow.identity.models import User

logger = logging.getLogger(__name__)
PAGE_SIZE = 20
OUTREACH = "onewindow.outreach.selectors"

# The words for each kind of message, for the filters (a kind not listed shows as 其他通知).
KIND_LABELS = {
    "submitted": gettext_lazy("申请已提交"),
    "supplement_requested": gettext_lazy("补正通知"),
    "task_approved": gettext_lazy("审批进度"),
    "task_rejected": gettext_lazy("审批进度"),
    "payment_due": gettext_lazy("缴费通知"),
    "payment_received": gettext_lazy("缴费成功"),
    "concluded": gettext_lazy("办结通知"),
    "licence_issued": gettext_lazy("证照签发"),
    "licence_revoked": gettext_lazy("证照撤销"),
    "consent_request": gettext_lazy("授权请求"),
    "company_task": gettext_lazy("企业待办"),
    "company_agent": gettext_lazy("企业授权"),
}
OTHER = gettext_lazy("其他通知")


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, OTHER))


@dataclass(frozen=True)
class Why:
    """Why a pushed message was sent, as the push rules tell it, and where the person turns
    that rule off ('' when they cannot)."""

    text: str
    turn_off_url: str = ""


def _why(found: object) -> Why | None:
    if not found:
        return None
    if isinstance(found, str):
        return Why(text=found)
    text = getattr(found, "text", None) or getattr(found, "reason", None) or ""
    off = getattr(found, "turn_off_url", None) or getattr(found, "opt_out_url", None) or ""
    return Why(text=str(text), turn_off_url=str(off)) if text else None


def push_reasons_for(*, user_id: int, messages: list[InboxMessage]) -> dict[int, Why]:
    """The push rules' word on why each message was sent (``outreach.selectors.
    push_reasons``, when that app offers it), else the reason the message carries."""
    import importlib

    offered = None
    try:
        offered = getattr(importlib.import_module(OUTREACH), "push_reasons", None)
    except ModuleNotFoundError as exc:  # the push rules offer no selectors yet
        if exc.name != OUTREACH:
            raise
    told: dict[str, object] = {}
    if offered is not None and messages:
        try:
            told = dict(offered(user_id=user_id, source_keys=[m.source_key for m in messages]))
        except Exception:  # the rules' log is an extra: the messages show without it
            logger.exception("push reasons could not be read")
    out = {}
    for message in messages:
        why = _why(told.get(message.source_key)) or _why(message.reason)
        if why is not None:
            out[message.id] = why
    return out


@dataclass(frozen=True)
class KindFilter:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class MessageCentre:
    messages: list[InboxMessage]
    total: int
    unread: int
    kinds: list[KindFilter]
    kind: str  # the filter in force ('' for all kinds)
    unread_only: bool
    page: int
    pages: int
    why: dict[int, Why] = field(default_factory=dict)  # by message id

    def label(self, kind: str) -> str:
        return kind_label(kind)


def message_centre(
    *, user: User, kind: str = "", unread_only: bool = False, page: str | int = 1
) -> MessageCentre:
    counts = inbox_counts(user_id=user.pk)
    if kind not in counts.kinds:
        kind = ""
    shown = counts.kinds.get(kind, 0) if kind else counts.total
    if unread_only:
        shown = min(shown, counts.unread)
    pages = max(1, -(-shown // PAGE_SIZE))
    try:
        number = min(max(1, int(page)), pages)
    except (TypeError, ValueError):
        number = 1
    rows = inbox_messages(
        user_id=user.pk,
        kind=kind,
        unread_only=unread_only,
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
    )
    return MessageCentre(
        messages=rows,
        total=counts.total,
        unread=counts.unread,
        kinds=[
            KindFilter(kind=k, label=kind_label(k), count=n)
            for k, n in sorted(counts.kinds.items())
        ],
        kind=kind,
        unread_only=unread_only,
        page=number,
        pages=pages,
        why=push_reasons_for(user_id=user.pk, messages=rows),
    )
