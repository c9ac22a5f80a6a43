"""Revoke a licence by its number: flips its bit in the published status list."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onewindow.audit.services import Actor
from onewindow.licences.models import Licence
from onewindow.licences.services import licence_revoke


class Command(BaseCommand):
    help = "Revoke an electronic licence (it then verifies as revoked)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("number")
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        licence = Licence.objects.filter(number=options["number"]).first()
        if licence is None:
            raise CommandError("no licence with that number")
        licence_revoke(
            actor=Actor.system("licence_revoke"), licence_id=licence.pk, reason=options["reason"]
        )
        self.stdout.write(f"revoked {licence.number}")
