from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onewindow.appointments.seed import resources_seed


class Command(BaseCommand):
    help = "Create the demo appointment counters and generate their slots (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        made = resources_seed(days=options["days"])
        self.stdout.write(f"{len(made)} appointment counter(s) ready")
