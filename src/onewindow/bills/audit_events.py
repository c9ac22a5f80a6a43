"""The audit trail's event types that bills writes: ``audit_record(action=...)``.

Each string is part of the trail's history: rows already written carry it, and the trail
is read and checked by these names. Never change one; a new kind of event gets a new name."""

from __future__ import annotations

SUBSCRIPTION_BIND = "bills.subscription.bind"
SUBSCRIPTION_NOTIFY_SET = "bills.subscription.notify_set"
SUBSCRIPTION_SYNC = "bills.subscription.sync"
SUBSCRIPTION_SYNC_FAIL = "bills.subscription.sync_fail"
SUBSCRIPTION_UNBIND = "bills.subscription.unbind"
