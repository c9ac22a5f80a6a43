"""The message centre's reads and read marks (站内信): a person's in-app messages, newest
first, filtered by kind or unread; marking one or all read. Re-exported by
``notify.selectors`` (reads) and ``notify.services`` (marks).

The marks are steps: they run in the caller's transaction and write no audit row (the
caller's use case does, see ``portal.services``). Every function is one or two queries,
whatever the number of messages."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from onewindow.core.home import home_changed
from onewindow.notify.models import Message


@dataclass(frozen=True)
class InboxMessage:
    id: int
    kind: str
    title: str
    body: str
    link: str  # the object it is about ('' for none)
    reason: str  # why the person got it ('' for news of their own cases and accounts)
    source_key: str  # what it is about (the push rules' log knows it by this key)
    created_at: datetime.datetime
    read_at: datetime.datetime | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


def _row(message: Message) -> InboxMessage:
    return InboxMessage(
        id=message.pk,
        kind=message.kind,
        title=message.title,
        body=str(message.body),
        link=message.link,
        reason=message.reason,
        source_key=message.source_key,
        created_at=message.created_at,
        read_at=message.read_at,
    )


def inbox_messages(
    *,
    user_id: int,
    kind: str = "",
    unread_only: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> list[InboxMessage]:
    """The person's messages, newest first."""
    rows = Message.objects.filter(recipient_id=user_id)
    if kind:
        rows = rows.filter(kind=kind)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return [_row(m) for m in rows.order_by("-created_at", "-pk")[offset : offset + limit]]


@dataclass(frozen=True)
class InboxCounts:
    total: int
    unread: int
    kinds: dict[str, int]  # messages per kind, for the filters


def inbox_counts(*, user_id: int) -> InboxCounts:
    """How many messages the person has, how many unread, and per kind (one query)."""
    rows = (
        Message.objects.filter(recipient_id=user_id)
        .values("kind")
        .annotate(n=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))
        .order_by("kind")
    )
    kinds = {row["kind"]: row["n"] for row in rows}
    return InboxCounts(
        total=sum(kinds.values()), unread=sum(row["unread"] for row in rows), kinds=kinds
    )


def inbox_unread_count(*, user_id: int) -> int:
    return Message.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def inbox_message_get(*, user_id: int, message_id: int) -> InboxMessage | None:
    """One of the person's messages; None for anyone else's."""
    row = Message.objects.filter(recipient_id=user_id, pk=message_id).first()
    return _row(row) if row is not None else None


def message_mark_read(*, user_id: int, message_id: int) -> bool:
    """Mark one of the person's messages read; False if it was read already or is not
    theirs. A step: the caller's transaction, no audit row."""
    changed = Message.objects.filter(
        recipient_id=user_id, pk=message_id, read_at__isnull=True
    ).update(read_at=timezone.now())
    if changed:
        home_changed(user_ids=[user_id])  # one unread message fewer on their page
    return bool(changed)


def messages_mark_all_read(*, user_id: int) -> int:
    """Mark every unread message of the person read; how many were. A step."""
    changed = Message.objects.filter(recipient_id=user_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        home_changed(user_ids=[user_id])
    return changed
