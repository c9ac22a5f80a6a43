"""Show or change the working-day limits of rectification (差评整改 15, 回访 1, 申诉复核 5 by
default): ``onewindow ratings_time_limits`` lists them; ``--set rectify=10`` holds a step's
limit as data (audited); rectifications opened afterwards are due by it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.audit.services import Actor
from onewindow.core.errors import ApplicationError
from onewindow.ratings.services.rectify_limits import time_limit_save, time_limits_list


class Command(BaseCommand):
    help = "List or set the working-day limits of bad ratings' rectification."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="STEP=DAYS",
            help="rectify, visit or appeal_review, and its working days (repeatable)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for item in options["set"]:
            step, _, days = str(item).partition("=")
            if not days.strip().isdigit():
                raise CommandError(f"--set {item!r}: expected STEP=DAYS")
            try:
                time_limit_save(
                    actor=Actor.system("manage.ratings_time_limits"),
                    step=step.strip(),
                    working_days=int(days),
                )
            except ApplicationError as exc:
                raise CommandError(f"--set {item!r}: {exc.message}") from exc
        for code, label, working_days, held in time_limits_list():
            source = "held" if held else "default"
            self.stdout.write(f"{code}\t{working_days}\t{source}\t{label}")
