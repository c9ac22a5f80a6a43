"""Engine step cost against a case's history (no database).

A process whose review task loops: each step is what the cases app does for one user action —
restore the run from its stored state (a JSON round trip, as a database column gives it back),
complete the open task, advance (gateways, service tasks, timers), and store the new state.
The step is measured after 10 and after 300 completed tasks; the target is
step(300) ≤ 1.5 × step(10). The stored state size is printed as well.

    .venv/bin/python bench/engine_steps.py [--samples 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.config.base")

import django  # noqa: E402

django.setup()

from onewindow.workflow import ProcessRun, compile_process  # noqa: E402

LOOP = ROOT / "src/onewindow/workflow/tests/bpmn/loop.bpmn"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def step(spec: dict, stored: str) -> str:
    run = ProcessRun.restore(spec, json.loads(stored))
    (task,) = run.open_user_tasks()
    run.complete(task.uid, data={"decision": "again", "comment": "请补充说明"})
    run.advance(now=NOW, context={"case_id": "BENCH"})
    return json.dumps(run.state())


def measure(spec: dict, stored: str, samples: int) -> tuple[float, str]:
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        step(spec, stored)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000, stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    spec = compile_process(LOOP.read_bytes(), filename="loop.bpmn").spec
    run = ProcessRun.start(spec, data={"applicant": "韩梅梅", "form": {"income": 2800}}, now=NOW)
    stored = json.dumps(run.state())
    results: dict[int, tuple[float, int]] = {}
    completed = 0
    for target in (10, 300):
        while completed < target:
            stored = step(spec, stored)
            completed += 1
        ms, _ = measure(spec, stored, args.samples)
        results[target] = (ms, len(stored))
    print("completed tasks | step median (ms) | stored state (bytes)")
    for target, (ms, size) in results.items():
        print(f"{target:>15} | {ms:>16.3f} | {size:>20}")
    ratio = results[300][0] / results[10][0]
    size_ratio = results[300][1] / results[10][1]
    print(f"step(300) / step(10) = {ratio:.2f}  (target ≤ 1.5)")
    print(f"state(300) / state(10) = {size_ratio:.2f}")
    sys.exit(0 if ratio <= 1.5 else 1)


if __name__ == "__main__":
    main()
