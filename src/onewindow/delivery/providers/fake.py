"""``FakeCourier``: the in-process courier of tests and of a development machine without the
courier sandbox. Its events are computed from the time (``providers/plan.py``), so polling is
the only way it reports; it never pushes."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.conf import settings

from onewindow.delivery.providers import plan
from onewindow.delivery.providers.base import (
    PushedRoute,
    PushReceipt,
    ShipmentRequest,
    SignatureInvalid,
    TrackingUpdate,
    TrackRef,
)


class FakeCourier:
    name = "fake"
    pushes = False

    def create(self, request: ShipmentRequest) -> str:
        return plan.tracking_number(request.key)

    def cancel(self, ref: TrackRef) -> None:
        return None

    def track(self, ref: TrackRef, *, now: datetime.datetime) -> list[TrackingUpdate]:
        nodes = plan.plan(
            tracking_no=ref.tracking_no,
            created_at=ref.created_at,
            step_seconds=int(getattr(settings, "DELIVERY_FAKE_STEP_SECONDS", 60)),
            failure_share=float(getattr(settings, "DELIVERY_FAKE_FAILURE", 0.0)),
            kind=ref.kind,
        )
        return [
            TrackingUpdate(n.at, n.status, n.description, n.location, n.op_code)
            for n in nodes
            if n.at <= now
        ]

    def verify_push(self, params: Mapping[str, str]) -> PushReceipt:
        raise SignatureInvalid("the fake courier sends no pushes")

    def parse_push(self, body: str) -> list[PushedRoute]:
        return []
