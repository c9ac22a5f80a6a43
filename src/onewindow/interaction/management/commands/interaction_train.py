"""Retrain the suggested routing (智能派单) on the shipped training set and the requests the
hotline has routed, report top-1 and top-3 accuracy on a held-back share beside always
suggesting the most frequent label, and save the model where the dispatcher's page reads it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.interaction.routing.corpus import LabelledRequest, corpus_read
from onewindow.interaction.routing.history import routed_requests
from onewindow.interaction.routing.model import train
from onewindow.interaction.services.catalogue import catalog_dir

MIN_ROWS = 3  # a label needs a row in each of the calibration's folds


def _enough(rows: list[LabelledRequest]) -> tuple[list[LabelledRequest], int]:
    """The rows whose category and department each have at least MIN_ROWS rows."""
    categories = Counter(row.category for row in rows)
    departments = Counter(row.department for row in rows)
    kept = [
        row
        for row in rows
        if categories[row.category] >= MIN_ROWS and departments[row.department] >= MIN_ROWS
    ]
    return kept, len(rows) - len(kept)


class Command(BaseCommand):
    help = "Retrain the hotline's suggested routing and report its accuracy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--corpus", type=Path, help="training set (JSON lines)")
        parser.add_argument("--no-history", action="store_true", help="skip routed requests")
        parser.add_argument("--holdout", type=float, default=0.2)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--dry-run", action="store_true", help="measure, do not save")

    def handle(self, *args: Any, **options: Any) -> None:
        corpus = options["corpus"] or catalog_dir() / "training.jsonl"
        if not corpus.exists():
            raise CommandError(f"no training set at {corpus}")
        rows = corpus_read(corpus)
        history = [] if options["no_history"] else list(routed_requests())
        self.stdout.write(
            f"{len(rows):,} rows from {corpus.name}, {len(history):,} routed requests"
        )
        rows, dropped = _enough([*rows, *history])
        if dropped:
            self.stdout.write(f"{dropped:,} rows left out: their label has fewer than 3 rows")
        if not 0 < options["holdout"] < 1:
            raise CommandError("--holdout must be between 0 and 1")
        try:
            report = train(rows, holdout=options["holdout"], seed=options["seed"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"trained on {report.train_rows:,}, measured on {report.test_rows:,} held back "
            f"in {report.seconds:.1f} s"
        )
        for name, accuracy in (("category", report.category), ("department", report.department)):
            if accuracy is None:
                continue
            self.stdout.write(
                f"{name:<11} top-1 {accuracy.top1:.3f}  top-3 {accuracy.top3:.3f}   "
                f"majority baseline top-1 {accuracy.baseline_top1:.3f}  "
                f"top-3 {accuracy.baseline_top3:.3f}"
            )
        if options["dry_run"]:
            return
        # the saved model learns from every row, the held-back share included
        final = train(rows, holdout=0, seed=options["seed"]).model
        path = final.save(Path(settings.VAR_DIR))
        self.stdout.write(self.style.SUCCESS(f"saved {path}"))
