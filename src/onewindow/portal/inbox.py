"""The message centre (站内信) as the page shows it: the person's messages with the words
for their kinds, the filters, and the pages. Reads ``notify.selectors``; three queries a
page whatever the number of messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from onewindow.notify.selectors import InboxMessage, inbox_counts, inbox_messages

if TYPE_CHECKING:
    from onewindow.identity.models import User

PAGE_SIZE = 20

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
    )
