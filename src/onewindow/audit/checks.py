"""Deployment check of the audit key (run by ``onewindow check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.security, deploy=True)
def audit_key_configured(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Production keys the hash chains with a key of its own, never the development key
    (derived from SECRET_KEY, or configured under its id ``dev``)."""
    from onewindow.core.crypto.keys import AUDIT_DEV_KID, audit_dev_key, audit_keys

    try:
        keys = audit_keys()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="onewindow.E041")]
    if not settings.PRODUCTION:
        return []
    current = keys[0]
    if not settings.AUDIT_KEYS or current.kid == AUDIT_DEV_KID or current.key == audit_dev_key():
        return [
            checks.Error(
                "The audit trail and the call log are chained with the development key.",
                hint="Set ONEWINDOW_AUDIT_KEYS=<kid>:<base64 32 bytes> (a new key first, "
                "older ones after it).",
                id="onewindow.E040",
            )
        ]
    return []
