"""The audit trail's event types that delivery writes: ``audit_record(action=...)``.

Each string is part of the trail's history: rows already written carry it, and the trail
is read and checked by these names. Never change one; a new kind of event gets a new name."""

from __future__ import annotations

ADDRESS_CREATE = "delivery.address.create"
ADDRESS_DEFAULT = "delivery.address.default"
ADDRESS_DELETE = "delivery.address.delete"
ADDRESS_UPDATE = "delivery.address.update"
PICKUP_BOOK = "delivery.pickup.book"
PICKUP_CANCEL = "delivery.pickup.cancel"
PUSH_APPLY = "delivery.push.apply"
PUSH_RECEIVE = "delivery.push.receive"
PUSH_REFUSE = "delivery.push.refuse"
SHIPMENT_COLLECTED = "delivery.shipment.collected"
SHIPMENT_CORRECT = "delivery.shipment.correct"
SHIPMENT_CREATE = "delivery.shipment.create"
SHIPMENT_HOLD = "delivery.shipment.hold"
SHIPMENT_RESHIP = "delivery.shipment.reship"
SHIPMENT_TRACK = "delivery.shipment.track"
