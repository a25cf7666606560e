"""Benchmark: what the nesting and alias bounds (strata/strategy/plan/bounds.py) add to reading
a plan, and what refusing a hostile file costs.

Baseline in the same run: `load_plan` of the same file, which includes the bounds. For the
hostile files the baseline is a valid plan of the same size.

    .venv/bin/python bench/plan_bounds.py            # prints a Markdown table
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("STRATA_DATA_DIR", tempfile.mkdtemp(prefix="strata-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strata.settings")

import django

django.setup()

import contextlib

from bench.plans import plan_yaml
from strata.strategy.plan import bounds
from strata.strategy.plan.errors import PlanInvalid
from strata.strategy.plan.loader import load_plan


def median_ms(func: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with contextlib.suppress(PlanInvalid):
            func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    print("| input | size | bounds check | whole load (baseline) | share |")
    print("|---|---|---|---|---|")
    for scale in (1, 10, 100):
        data = plan_yaml(scale)
        text = data.decode()
        check = median_ms(lambda t=text: bounds.check_bounds(t))
        whole = median_ms(lambda d=data: load_plan(d))
        print(f"| plan {scale}× | {len(data) / 1e6:.2f} MB | {check:.1f} ms | {whole:.0f} ms | {check / whole:.1%} |")
    valid = plan_yaml(100)
    whole = median_ms(lambda: load_plan(valid))
    hostile = {
        "4.5 MB of `[` (refused)": b"[" * 4_500_000,
        "1.5 M nested `- ` (refused)": b"- " * 1_500_000,
        "billion laughs (refused)": b"a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n",
    }
    for name, body in hostile.items():
        refuse = median_ms(lambda b=body: load_plan(b))
        print(
            f"| {name} | {len(body) / 1e6:.2f} MB | {refuse:.0f} ms (all of it) | {whole:.0f} ms (valid 100× plan) | {refuse / whole:.0%} |"
        )


if __name__ == "__main__":
    main()
