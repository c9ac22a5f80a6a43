"""Create or rename licence types from catalog/vocabulary.yaml."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from onewindow.audit.services import Actor
from onewindow.licences.services import licence_types_sync


class Command(BaseCommand):
    help = "Sync licence types (code, names) from the catalogue vocabulary."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = licence_types_sync(actor=Actor.system("licence_types_sync"))
        self.stdout.write(f"{changed} licence types created or renamed")
