"""``onewindow totp_code USERNAME``: print the current TOTP code of a demo staff account.

Only in demo or debug mode: in production a TOTP key never leaves the database.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current 6-digit TOTP code of a staff account (demo/debug only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (getattr(settings, "DEMO", False) or settings.DEBUG):
            raise CommandError(
                "totp_code only works in demo or debug mode (ONEWINDOW_DEMO=1 or DEBUG=1)."
            )
        device = (
            TOTPDevice.objects.filter(user__username=options["username"], confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise CommandError(f"no confirmed TOTP device for {options['username']!r}")
        totp = TOTP(
            device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
        )
        totp.time = time.time()
        remaining = device.step - int(totp.time - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        if options["verbosity"] > 1:
            self.stderr.write(f"valid for another {remaining}s")
