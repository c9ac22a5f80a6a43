"""Couriers behind a Protocol (``base.Courier``): ``fake`` (in-process, computed from the
clock), ``sf`` (SF Express open platform) and ``sandbox`` (the same SF adapter talking to the
local courier sandbox, which pushes routes like the real one). ``conf.courier(name)`` picks
one from the settings."""

from onewindow.delivery.providers.base import (
    Courier,
    CourierError,
    Party,
    PushedRoute,
    PushReceipt,
    ShipmentRequest,
    SignatureInvalid,
    TrackingUpdate,
    TrackRef,
)

__all__ = [
    "Courier",
    "CourierError",
    "Party",
    "PushReceipt",
    "PushedRoute",
    "ShipmentRequest",
    "SignatureInvalid",
    "TrackRef",
    "TrackingUpdate",
]
