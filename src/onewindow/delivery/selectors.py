"""Reads of courier delivery."""

from __future__ import annotations

from typing import Any

from onewindow.delivery.models import Shipment


def shipments_for_case(case_number: str) -> list[Shipment]:
    if not case_number:
        return []
    return list(Shipment.objects.filter(case_number=case_number).prefetch_related("events"))


def shipments_for_user(user: Any, *, limit: int = 5) -> list[Shipment]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Shipment.objects.filter(owner=user)
        .order_by("-created_at")
        .prefetch_related("events")[:limit]
    )
