"""Rotate the licence signing key of one algorithm (the old key stays published)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from onewindow.audit.services import Actor
from onewindow.licences.keys import signing_key_rotate


class Command(BaseCommand):
    help = "Retire the active licence signing key and make a new one (EdDSA or SM2)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("algorithm", choices=["EdDSA", "SM2"])

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key = signing_key_rotate(
                actor=Actor.system("licence_keys_rotate"), alg=options["algorithm"]
            )
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"new key {key.kid}")
