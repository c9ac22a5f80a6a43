"""Start-up checks of a production process: the web (wsgi/asgi) and Celery entry points call
``refuse_unsafe_production`` once Django is set up, so a deployment that forgot
``onewindow check --deploy`` still cannot start with a fake gateway or a public key (the
fake SMS gateway, the demo mode, the development SECRET_KEY, the payment sandbox and its
public key, a fake courier, licence keys made at runtime …). Management commands are not
stopped: operators need them (``check --deploy`` lists the same problems)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)


class UnsafeProduction(ImproperlyConfigured):
    pass


def refuse_unsafe_production(process: str) -> None:
    """Under production settings, run the security deployment checks; on any error log it
    and raise ``UnsafeProduction`` (the process does not start)."""
    if not settings.PRODUCTION:
        return
    found = [
        message
        for message in checks.run_checks(
            include_deployment_checks=True, tags=[checks.Tags.security]
        )
        if not message.is_silenced()
    ]
    errors = [message for message in found if message.is_serious()]
    for message in found:
        if not message.is_serious():
            log.warning("deploy check: %s", message)
    if not errors:
        return
    lines = "\n".join(f"  - {message}" for message in errors)
    text = (
        f"OneWindow refuses to start the {process} under production settings "
        f"(ONEWINDOW_ENV=production): {len(errors)} deployment check(s) failed.\n{lines}\n"
        "Fix the configuration; `onewindow check --deploy` lists the same problems."
    )
    log.critical("%s", text)
    raise UnsafeProduction(text)
