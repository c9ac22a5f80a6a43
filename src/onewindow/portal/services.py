"""Writes of the citizen page: the message centre's read marks (one message, or all)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from onewindow.audit.services import Actor, audit_record
from onewindow.notify.services import message_mark_read, messages_mark_all_read
from onewindow.portal import audit_events

if TYPE_CHECKING:
    from onewindow.identity.models import User


def message_read_mark(*, actor: Actor, user: User, message_id: int) -> bool:
    """The person opened one of their messages: it is read from now on. False (and no audit
    row) when it was read already or is not theirs."""
    with transaction.atomic(durable=True):
        changed = message_mark_read(user_id=user.pk, message_id=message_id)
        if changed:
            audit_record(
                actor=actor,
                action=audit_events.MESSAGE_READ,
                target_type="notify.message",
                target_id=str(message_id),
            )
    return changed


def messages_read_mark_all(*, actor: Actor, user: User) -> int:
    """全部已读: every unread message of the person is read; how many were."""
    with transaction.atomic(durable=True):
        count = messages_mark_all_read(user_id=user.pk)
        if count:
            audit_record(
                actor=actor,
                action=audit_events.MESSAGES_READ_ALL,
                target=user,
                changes={"messages": count},
            )
    return count
