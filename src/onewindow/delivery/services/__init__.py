"""Writes of courier delivery. Other apps import from here:
``from onewindow.delivery.services import ShipmentSpec, shipment_create``."""

from onewindow.delivery.services._common import window_party
from onewindow.delivery.services.addresses import (
    address_create,
    address_delete,
    address_set_default,
    address_update,
)
from onewindow.delivery.services.pickups import pickup_book, pickup_cancel
from onewindow.delivery.services.pushes import push_apply, push_receive
from onewindow.delivery.services.returns import (
    shipment_correct_address,
    shipment_counter_collected,
    shipment_hold_at_counter,
    shipment_reship,
)
from onewindow.delivery.services.shipments import (
    CourierUnavailable,
    ShipmentSpec,
    shipment_create,
    shipment_refresh,
    shipments_advance,
)
from onewindow.delivery.services.tracking import tracking_apply

__all__ = [
    "CourierUnavailable",
    "ShipmentSpec",
    "address_create",
    "address_delete",
    "address_set_default",
    "address_update",
    "pickup_book",
    "pickup_cancel",
    "push_apply",
    "push_receive",
    "shipment_correct_address",
    "shipment_counter_collected",
    "shipment_create",
    "shipment_hold_at_counter",
    "shipment_refresh",
    "shipment_reship",
    "shipments_advance",
    "tracking_apply",
    "window_party",
]
