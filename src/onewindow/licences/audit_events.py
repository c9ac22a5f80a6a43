"""The audit trail's event types that licences writes: ``audit_record(action=...)``.

Each string is part of the trail's history: rows already written carry it, and the trail
is read and checked by these names. Never change one; a new kind of event gets a new name."""

from __future__ import annotations

LICENCE_ISSUE = "licences.licence.issue"
LICENCE_LOOKUP = "licences.licence.lookup"
LICENCE_REVOKE = "licences.licence.revoke"
SIGNINGKEY_CONFIGURE = "licences.signingkey.configure"
SIGNINGKEY_CREATE = "licences.signingkey.create"
SIGNINGKEY_ROTATE = "licences.signingkey.rotate"
TYPE_SYNC = "licences.type.sync"
