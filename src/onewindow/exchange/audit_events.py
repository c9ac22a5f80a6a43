"""The audit trail's event types that the data exchange writes: ``audit_record(action=...)``.

Each string is part of the trail's history: rows already written carry it, and the trail
is read and checked by these names. Never change one; a new kind of event gets a new name."""

from __future__ import annotations

CONSUMER_CREATE = "exchange.consumer.create"
GRANT_REFRESH = "exchange.grant.refresh"
REQUEST_APPROVE = "exchange.request.approve"
REQUEST_CREATE = "exchange.request.create"
REQUEST_DECIDE = "exchange.request.decide"
REQUEST_REJECT = "exchange.request.reject"
RESOURCE_SYNC = "exchange.resource.sync"
