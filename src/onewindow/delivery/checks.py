"""Deployment checks of the delivery app (``onewindow check --deploy``; they also run when a
production process starts, onewindow.core.startup): in production shipments go to a real
courier with the platform's own credentials."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from onewindow.delivery import conf
from onewindow.delivery.providers.sf import SANDBOX_URL


@checks.register(checks.Tags.security, deploy=True)
def courier_in_production(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if not settings.PRODUCTION:
        return []
    name = conf.courier_name()
    if name in {"fake", "sandbox"}:
        return [
            checks.Error(
                f"The {name} courier is configured: certificates are never shipped.",
                hint="Set ONEWINDOW_DELIVERY_COURIER=sf with the SF Express credentials.",
                id="onewindow.E030",
            )
        ]
    if name != "sf":
        return [checks.Error(f"Unknown courier {name!r}.", id="onewindow.E031")]
    partner, check_word = (
        conf.setting("DELIVERY_SF_PARTNER_ID"),
        conf.setting("DELIVERY_SF_CHECK_WORD"),
    )
    if partner == conf.SANDBOX_PARTNER_ID or check_word == conf.SANDBOX_CHECK_WORD:
        return [
            checks.Error(
                "The courier sandbox's development credentials are configured for SF Express.",
                id="onewindow.E030",
            )
        ]
    if conf.setting("DELIVERY_SF_URL", "").rstrip("/") == SANDBOX_URL.rstrip("/"):
        return [
            checks.Error(
                "SF Express's sandbox environment is configured: nothing is shipped.",
                hint="Unset ONEWINDOW_DELIVERY_SF_URL (the production gateway is the default).",
                id="onewindow.E030",
            )
        ]
    if not partner or not check_word:
        return [
            checks.Error(
                "SF Express needs a partner id and a check word.",
                hint="Set ONEWINDOW_DELIVERY_SF_PARTNER_ID and ONEWINDOW_DELIVERY_SF_CHECK_WORD.",
                id="onewindow.E031",
            )
        ]
    return []
