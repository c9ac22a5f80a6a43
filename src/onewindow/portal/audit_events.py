"""The audit trail's event types that the portal writes: ``audit_record(action=...)``.

Each string is part of the trail's history: rows already written carry it, and the trail
is read and checked by these names. Never change one; a new kind of event gets a new name."""

from __future__ import annotations

MESSAGE_READ = "portal.message.read"
MESSAGES_READ_ALL = "portal.messages.read_all"
