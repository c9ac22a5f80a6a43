"""Deployment checks of the platform itself (run by ``onewindow check --deploy``). Each app
registers its own: the SMS vendor's in notify.checks, the courier's in delivery.checks, the
payment gateway's in payments.checks, the licence keys' in licences.checks, the audit key's
in audit.checks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def crypto_keys_configured(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if not settings.DATA_KEYS or not settings.INDEX_KEY:
        problems.append(
            checks.Warning(
                "Personal data keys are derived from SECRET_KEY.",
                hint="Set ONEWINDOW_DATA_KEYS and ONEWINDOW_INDEX_KEY.",
                id="onewindow.W001",
            )
        )
    if settings.DEMO:
        problems.append(
            checks.Warning("ONEWINDOW_DEMO is on in a deployment.", id="onewindow.W003")
        )
    return problems


@checks.register(checks.Tags.security, deploy=True)
def no_demo_in_production(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """What lets anyone take over a demo must stop a production deployment (these also run
    when a production process starts, onewindow.core.startup; the fake SMS gateway's
    is in notify.checks)."""
    if not settings.PRODUCTION:
        return []
    problems: list[checks.CheckMessage] = []
    if settings.DEMO:
        problems.append(
            checks.Error(
                "ONEWINDOW_DEMO is on in production: the public SMS outbox (/notify/sms-outbox/) "
                "shows every login code, and the demo department system is served.",
                hint="Unset ONEWINDOW_DEMO.",
                id="onewindow.E004",
            )
        )
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        problems.append(
            checks.Error(
                "SECRET_KEY is the public development key: sessions can be forged and the "
                "demo SSO client's secret (derived from it) is known to anyone.",
                hint="Set SECRET_KEY to a long random value of this deployment's own.",
                id="onewindow.E005",
            )
        )
    return problems
