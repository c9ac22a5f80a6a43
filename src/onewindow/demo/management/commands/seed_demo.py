"""``onewindow seed_demo --residents N [--companies M] [--seed S]``: create the demo city."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings
from tqdm import tqdm

from onewindow.demo.banner import accounts_text
from onewindow.demo.selectors import demo_printed_usernames
from onewindow.demo.services import SeedReport, demo_city_seed

DEFAULT_SEED = 2025


class Command(BaseCommand):
    help = "Create the demo city (Guangzhou): departments, staff, residents, companies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--residents", type=int, default=2000)
        parser.add_argument(
            "--companies", type=int, default=None, help="default: one per 40 residents"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        residents: int = max(options["residents"], 0)
        companies: int = options["companies"]
        if companies is None:
            companies = max(residents // 40, 1 if residents else 0)
        bars: list[tqdm[Any]] = []

        def progress(label: str, total: int) -> Callable[[int], None]:
            bar: tqdm[Any] = tqdm(
                total=total,
                desc=label,
                unit=" rows",
                unit_scale=True,
                disable=options["no_progress"] or total == 0,
                file=self.stderr._out,
            )
            bars.append(bar)
            return bar.update

        started = time.perf_counter()
        try:
            # DEBUG's query log would format and keep every bulk INSERT: off while seeding.
            with override_settings(DEBUG=False):
                report = demo_city_seed(
                    residents=residents,
                    companies=companies,
                    seed=options["seed"],
                    progress=progress,
                )
        finally:
            for bar in bars:
                bar.close()
        elapsed = time.perf_counter() - started
        print_report(self, report, elapsed)


def print_report(command: BaseCommand, report: SeedReport, elapsed: float) -> None:
    out = command.stdout
    if not report.changed:
        out.write(
            f"Demo city (seed {report.seed}) already seeded with {report.residents_requested} "
            f"residents and {report.companies_requested} companies: nothing to do."
        )
    else:
        out.write(
            command.style.SUCCESS(
                f"Demo city seeded (seed {report.seed}) in {elapsed:.1f}s: "
                f"+{report.residents_added} residents, +{report.companies_added} companies, "
                f"+{report.departments_added} departments, +{report.staff_added} staff, "
                f"+{report.licences_added} licences, "
                f"+{report.exchange_calls_added} data exchange calls."
            )
        )
    printed = set(demo_printed_usernames())
    out.write(accounts_text([a for a in report.accounts if a.username in printed]))
