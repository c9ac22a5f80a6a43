"""Reads of courier delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from onewindow.delivery.models import Address, Shipment, TrackingEvent

# The departments' receiving windows, read by the pages too.
from onewindow.delivery.windows import window_label as window_label
from onewindow.delivery.windows import window_party as window_party

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from onewindow.identity.models import User

RETURNS_PERMISSION = "delivery.manage_returns"


def _with_events(shipments: QuerySet[Shipment]) -> QuerySet[Shipment]:
    return shipments.select_related("department").prefetch_related(
        Prefetch("events", queryset=TrackingEvent.objects.order_by("at", "pk")),
        Prefetch("reshipments", queryset=Shipment.objects.order_by("-pk")),
    )


def shipments_for_case(*, case_number: str) -> list[Shipment]:
    if not case_number:
        return []
    return list(
        _with_events(Shipment.objects.filter(case_number=case_number)).order_by("created_at", "pk")
    )


def shipments_for_user(*, user: User | AnonymousUser | None, limit: int = 5) -> list[Shipment]:
    if user is None or not user.is_authenticated:
        return []
    return list(
        _with_events(Shipment.objects.filter(owner=user)).order_by("-created_at", "-pk")[:limit]
    )


def shipment_for_owner(*, user: User | AnonymousUser | None, tracking_no: str) -> Shipment | None:
    if user is None or not user.is_authenticated:
        return None
    return _with_events(Shipment.objects.filter(owner=user, tracking_no=tracking_no)).first()


def shipment_correctable(shipment: Shipment) -> bool:
    """Whether the resident may still correct where this mail-out goes."""
    if shipment.kind != Shipment.Kind.DELIVER or shipment.counter_collected_at is not None:
        return False
    if shipment.resolution == Shipment.Resolution.RESHIPPED:
        return False
    return shipment.status in (
        Shipment.Status.CREATED,
        Shipment.Status.FAILED,
        Shipment.Status.RETURNED,
    )


def addresses_for_user(*, user: User | AnonymousUser | None) -> list[Address]:
    if user is None or not user.is_authenticated:
        return []
    return list(Address.objects.filter(owner=user))


def address_for(*, user: User, address_id: int) -> Address | None:
    return Address.objects.filter(owner=user, pk=address_id).first()


def returns_department_ids(*, user: User) -> set[int]:
    """Departments whose returned mail ``user`` may handle: with ``delivery.manage_returns``,
    their own, those they hold a role in, and the departments below those."""
    from onewindow.identity.selectors import staff_department_ids_below

    if not user.has_perm(RETURNS_PERMISSION):
        return set()
    return staff_department_ids_below(user)


def returns_for_staff(*, user: User) -> QuerySet[Shipment]:
    """Returned shipments of the staff member's departments still waiting: not re-shipped,
    not collected at the window; oldest first."""
    return _with_events(
        Shipment.objects.filter(
            department_id__in=returns_department_ids(user=user),
            status=Shipment.Status.RETURNED,
            counter_collected_at__isnull=True,
        ).exclude(resolution=Shipment.Resolution.RESHIPPED)
    ).order_by("updated_at", "pk")


def returns_recently_resolved(*, user: User, limit: int = 10) -> list[Shipment]:
    return list(
        Shipment.objects.filter(
            department_id__in=returns_department_ids(user=user),
            status=Shipment.Status.RETURNED,
            resolved_at__isnull=False,
        )
        .exclude(resolution=Shipment.Resolution.COUNTER, counter_collected_at__isnull=True)
        .prefetch_related(Prefetch("reshipments", queryset=Shipment.objects.order_by("-pk")))
        .order_by("-resolved_at")[:limit]
    )


def return_for_staff(*, user: User, shipment_id: int) -> Shipment | None:
    return _with_events(
        Shipment.objects.filter(
            pk=shipment_id,
            department_id__in=returns_department_ids(user=user),
            status=Shipment.Status.RETURNED,
        )
    ).first()
