from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.identity.selectors import department_get
from onewindow.interaction.open311.keys import open311_key_issue


class Command(BaseCommand):
    help = "Issue an Open311 key and print it once (only its hash is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--department", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        department_id = None
        if options["department"]:
            department = department_get(code=options["department"])
            if department is None:
                raise CommandError(f"no department {options['department']}")
            department_id = department.pk
        _key, plain = open311_key_issue(
            user=None, name=options["name"], department_id=department_id
        )
        self.stdout.write(plain)
