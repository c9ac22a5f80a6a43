"""The hotline benchmark's pieces on a small scale, on the test database (so a change to the
models or the selectors that breaks ``bench/interaction_bench.py`` fails here): the bulk
requests in every state with their parts and a second run topping up, the filings it times,
the selectors it measures, the routing accuracy it prints, the report's verdicts. The
gunicorn pages and the worker processes run in ``bench/interaction_bench.py --quick``."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from bench import interaction_bench, interaction_data

from onewindow.demo.hotline import demo_hotline_seed
from onewindow.interaction.models import Assignment, Request
from onewindow.testing.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotline(city: None, memory_storage: None) -> None:
    demo_hotline_seed()


def test_the_bulk_requests_cover_the_loop_and_the_timed_filings_and_selectors_run(hotline):
    made = interaction_data.generate(rows=1500, progress=False)
    assert made["requests"] == 1500
    statuses = Counter(Request.objects.values_list("status", flat=True))
    assert set(statuses) == {s.value for s in Request.Status}
    assert statuses["concluded"] > 1000
    parts = Counter(Assignment.objects.values_list("status", flat=True))
    assert {"pending", "signed", "answered"} <= set(parts)
    handled = Request.objects.filter(status__in=("dispatched", "signed", "answered"))
    assert not handled.filter(department=None).exists()
    assert not Request.objects.filter(status="registered").exclude(department=None).exists()
    stored = Request.objects.exclude(anonymous=True).first()
    assert stored is not None and str(stored.contact_phone).startswith("13")
    assert interaction_data.generate(rows=1500, progress=False)["seconds"] == 0.0
    assert interaction_data.generate(rows=1600, progress=False)["requests"] == 1600
    assert Request.objects.count() == 1600
    # what the benchmark times on them (one scene: the demo city's hotline takes seconds)
    person = make_person()
    timings = interaction_bench.intake_timings(
        person.user_id, 3, deadline=time.time() + 60, prefix="smoke"
    )
    assert len(timings) == 3
    filed = Request.objects.filter(person=person)
    assert filed.count() == 3
    assert not filed.filter(street_code="").exists()
    assert not filed.filter(contact_phone="").exists()
    department, _handler = interaction_bench.busiest_department()
    assert Assignment.objects.filter(department_id=department, status="signed").exists()
    latencies = interaction_bench.selector_latencies(department_id=department, samples=3)
    assert set(latencies) == {"pk_select", "queue", "awaiting_office", "inbox", "inbox_overdue"}
    assert all(v["samples"] == 3 and v["p95_ms"] > 0 for v in latencies.values())


def test_the_routing_accuracy_is_measured_beside_the_majority_baseline(tmp_path: Path):
    rows = [json.loads(line) for line in interaction_data.CORPUS.read_text().splitlines()]
    per_category: Counter[str] = Counter()
    small = []
    categories = sorted({row["category"] for row in rows})[:12]
    for row in rows:
        if row["category"] in categories and per_category[row["category"]] < 6:
            per_category[row["category"]] += 1
            small.append(row)
    corpus = tmp_path / "small.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in small))
    measured = interaction_bench.classifier(corpus=corpus, holdout=0.25)
    assert (measured["train_rows"], measured["test_rows"]) == (54, 18)
    category = measured["category"]
    assert 0 <= category["baseline_top1"] <= category["baseline_top3"] <= 1
    assert category["top1"] <= category["top3"]


def _timing(rate: float) -> dict[str, Any]:
    return {"per_second": rate, "p95_ms": 20.0}


def test_the_report_prints_the_ratios_and_verdicts():
    p95 = {"p95_ms": 1.0}
    results: dict[str, Any] = {
        "requests": 1_000_000,
        "parts": 1_050_000,
        "throughput": {"submissions": _timing(200.0), "intake": _timing(90.0)},
        "selectors": {
            "pk_select": {"p95_ms": 0.5},
            "queue": {"p95_ms": 2.0},
            "inbox": {"p95_ms": 6.0},
            "awaiting_office": p95,
            "inbox_overdue": p95,
        },
        "pages": {
            "pk_page": {"p95_ms": 10.0},
            "queue_page": {"p95_ms": 40.0},
            "inbox_page": {"p95_ms": 80.0},
        },
        "classifier": {
            "train_rows": 8,
            "test_rows": 2,
            "category": {"top1": 0.5, "top3": 1.0, "baseline_top1": 0.0, "baseline_top3": 0.5},
            "department": None,
        },
    }
    printed = interaction_bench.report(results)
    lines = [" ".join(line.split()) for line in printed.splitlines()]
    assert "intake ÷ submissions = 0.450 (target ≥ 0.5: MISS)" in lines
    assert "queue 2.00 4.00 (≤ 10: PASS)" in lines
    assert "inbox 6.00 12.00 (≤ 10: MISS)" in lines
    assert "awaiting_office 1.00 2.00" in lines
    assert "pages, under gunicorn p95 ms ÷ PK" in lines
    assert "inbox_page 80.00 8.00 (≤ 10: PASS)" in lines
    assert "category top-1 0.500 top-3 1.000 majority baseline top-1 0.000 top-3 0.500" in lines
    assert results["intake_ratio"] == 0.45
    assert results["p95_ratios"]["inbox"] == 12.0
