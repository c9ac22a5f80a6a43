"""The audit trail's event types that notify writes: ``audit_record(action=...)``.

Each string is part of the trail's history: rows already written carry it, and the trail
is read and checked by these names. Never change one; a new kind of event gets a new name."""

from __future__ import annotations

SMS_QUEUE = "notify.sms.queue"
SMS_RECEIPTS = "notify.sms.receipts"
PREFERENCES_UPDATE = "notify.preferences.update"
TEMPLATE_SAVE = "notify.template.save"
TEMPLATES_SYNC = "notify.templates.sync"
DELIVERY_RECEIPTS = "notify.delivery.receipts"
PROVIDER_PRIORITY_SET = "notify.provider.priority_set"
PROVIDER_FAILOVER = "notify.provider.failover"
DIGEST_SEND = "notify.digest.send"
