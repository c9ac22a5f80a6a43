"""Couriers behind a Protocol. ``FakeCourier`` is the demo's: a shipment moves one step
(已揽收 → 运输中 → 派送中 → 已签收) every ``DELIVERY_FAKE_STEP_SECONDS``; with
``DELIVERY_FAKE_FAILURE`` a share of deliveries fails and, after the last attempt, is returned."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings


@dataclass(frozen=True)
class ShipmentRequest:
    key: str  # idempotency key
    recipient: str
    phone: str
    address: str
    contents: str


@dataclass(frozen=True)
class TrackingUpdate:
    at: datetime.datetime
    status: str
    description: str
    location: str = ""


class Courier(Protocol):
    name: str

    def create(self, request: ShipmentRequest) -> str:
        """Book the shipment; returns the tracking number (the same for the same key)."""
        ...

    def track(
        self, tracking_no: str, *, created_at: datetime.datetime, now: datetime.datetime
    ) -> list[TrackingUpdate]:
        """Every tracking event so far, oldest first."""
        ...


STEPS = [
    ("collected", "快递员已揽收", "广州市政务服务中心"),
    ("in_transit", "快件运输中", "广州转运中心"),
    ("out_for_delivery", "快件派送中", "收件地址所在营业部"),
]
MAX_ATTEMPTS = 2


class FakeCourier:
    name = "fake"

    def create(self, request: ShipmentRequest) -> str:
        return "SF" + str(int(hashlib.sha256(request.key.encode()).hexdigest(), 16))[:12]

    def _fails(self, tracking_no: str) -> bool:
        share = float(getattr(settings, "DELIVERY_FAKE_FAILURE", 0.0))
        bucket = int(hashlib.sha256(tracking_no.encode()).hexdigest(), 16) % 1000
        return bucket < share * 1000

    def track(
        self, tracking_no: str, *, created_at: datetime.datetime, now: datetime.datetime
    ) -> list[TrackingUpdate]:
        step = datetime.timedelta(seconds=int(getattr(settings, "DELIVERY_FAKE_STEP_SECONDS", 60)))
        plan = [
            TrackingUpdate(created_at + step * (i + 1), s, d, loc)
            for i, (s, d, loc) in enumerate(STEPS)
        ]
        at = created_at + step * (len(STEPS) + 1)
        if self._fails(tracking_no):
            for attempt in range(MAX_ATTEMPTS):
                plan.append(
                    TrackingUpdate(at, "failed", f"派送失败（第{attempt + 1}次）：收件人无法联系")
                )
                at += step
                if attempt + 1 < MAX_ATTEMPTS:
                    plan.append(TrackingUpdate(at, "out_for_delivery", "再次派送中"))
                    at += step
            plan.append(TrackingUpdate(at, "returned", "多次派送失败，快件已退回寄件方"))
        else:
            plan.append(TrackingUpdate(at, "delivered", "已签收，感谢使用"))
        return [u for u in plan if u.at <= now]


def courier() -> Courier:
    return FakeCourier()
