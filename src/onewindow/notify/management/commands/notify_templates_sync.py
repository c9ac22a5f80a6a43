"""``onewindow notify_templates_sync``: a row for every built-in message template that has
none yet, so operators can edit it (rows they edited are kept)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from onewindow.notify.services import templates_sync


class Command(BaseCommand):
    help = "Write a template row for every built-in message template that has none."

    def handle(self, *args: Any, **options: Any) -> None:
        written = templates_sync()
        self.stdout.write(f"{written} template(s) written")
