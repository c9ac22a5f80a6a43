"""``onewindow push_rules_sync``: load the push rules under ``catalog/push-rules/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.audit.services import Actor
from onewindow.core.errors import ValidationFailed
from onewindow.outreach.services import push_rules_sync


class Command(BaseCommand):
    help = "Load (create or update) the push rules from catalog/push-rules/*.toml."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default="", help="another folder of rule files")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["dir"]) if options["dir"] else None
        try:
            result = push_rules_sync(actor=Actor.system("push_rules_sync"), directory=folder)
        except ValidationFailed as exc:
            raise CommandError("\n".join(str(e.message) for e in exc.errors)) from exc
        self.stdout.write(
            f"created {len(result.created)}, updated {len(result.updated)}, "
            f"unchanged {len(result.unchanged)}"
        )
