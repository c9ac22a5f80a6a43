"""Which courier the platform books with, and its credentials; Django settings override the
environment (``ONEWINDOW_<NAME>``)."""

from __future__ import annotations

import os

from django.conf import settings

from onewindow.delivery.providers.base import Courier
from onewindow.delivery.sandbox.server import DEV_CHECK_WORD as SANDBOX_CHECK_WORD
from onewindow.delivery.sandbox.server import DEV_PARTNER_ID as SANDBOX_PARTNER_ID

COURIERS = ("fake", "sandbox", "sf")


def setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, None) or os.environ.get(f"ONEWINDOW_{name}", default))


def courier_name() -> str:
    return setting("DELIVERY_COURIER", "fake")


def courier(name: str | None = None) -> Courier:
    """The courier called ``name`` (a shipment's ``carrier``), else the configured one."""
    name = name or courier_name()
    if name == "fake":
        from onewindow.delivery.providers.fake import FakeCourier

        return FakeCourier()
    from onewindow.delivery.providers.sf import PRODUCTION_URL, SfExpress

    if name == "sf":
        return SfExpress(
            name="sf",
            partner_id=setting("DELIVERY_SF_PARTNER_ID"),
            check_word=setting("DELIVERY_SF_CHECK_WORD"),
            url=setting("DELIVERY_SF_URL", PRODUCTION_URL),
            monthly_card=setting("DELIVERY_SF_MONTHLY_CARD"),
        )
    if name == "sandbox":
        return SfExpress(
            name="sandbox",
            partner_id=setting("DELIVERY_SANDBOX_PARTNER_ID", SANDBOX_PARTNER_ID),
            check_word=setting("DELIVERY_SANDBOX_CHECK_WORD", SANDBOX_CHECK_WORD),
            url=setting("DELIVERY_SANDBOX_URL", "http://127.0.0.1:8078/std/service"),
            timeout=5.0,
        )
    raise LookupError(name)


def poll_quiet_seconds() -> int:
    """A courier that pushes is polled only for shipments it has been quiet about this long."""
    return int(setting("DELIVERY_POLL_QUIET_SECONDS", "1800"))
