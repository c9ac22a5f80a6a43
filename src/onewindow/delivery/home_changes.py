"""Whose citizen page a mail-out alters (``onewindow.core.home``): its owner's (the
shipment, and each tracking event). Watched from ``DeliveryConfig.ready()``; cancelling
without ``save()`` calls :func:`shipments_home_changed` itself."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from onewindow.core.home import HomeAudience, home_changed, home_watch


def shipments_home_changed(*, shipment_ids: Iterable[int]) -> None:
    from onewindow.delivery.models import Shipment

    ids = list(shipment_ids)
    home_changed(user_ids=Shipment.objects.filter(pk__in=ids).values_list("owner_id", flat=True))


def _shipment(shipment: Any) -> HomeAudience:
    return HomeAudience.of(user_ids=[shipment.owner_id])


def _event(event: Any) -> HomeAudience:
    from onewindow.delivery.models import Shipment

    owners = Shipment.objects.filter(pk=event.shipment_id).values_list("owner_id", flat=True)
    return HomeAudience.of(user_ids=list(owners))


def watch() -> None:
    home_watch("delivery.Shipment", _shipment)
    home_watch("delivery.TrackingEvent", _event)
