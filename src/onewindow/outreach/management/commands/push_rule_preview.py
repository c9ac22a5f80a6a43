"""``onewindow push_rule_preview CODE``: how many residents a rule would reach today."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.outreach.selectors import push_rule_get, push_rule_preview


class Command(BaseCommand):
    help = "Print how many residents a push rule would reach today, and per district."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code")

    def handle(self, *args: Any, **options: Any) -> None:
        code = str(options["code"])
        if push_rule_get(code=code) is None:
            raise CommandError(
                f"no push rule {code!r} (load catalog/push-rules with push_rules_sync)"
            )
        preview = push_rule_preview(code=code, sample_size=0)
        self.stdout.write(str(preview.reach))
        for district, count in preview.by_district:
            self.stdout.write(f"  {district}\t{count}")
