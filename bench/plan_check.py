"""Benchmark: `strata plan check` and the review page at 1×, 10× and 100× plan size.

100× is the large plan (500 objectives, 2,000 channels, 5,000 pillars, 10,000 rules).
Baselines measured in the same run: the 1× plan (for the scaling ratios), and parsing the same
file with PyYAML's C loader (what reading YAML alone costs with the usual library).

    .venv/bin/python bench/plan_check.py            # prints a Markdown table
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = Path(tempfile.mkdtemp(prefix="strata-bench-"))
os.environ["STRATA_DATA_DIR"] = str(DATA)
os.environ["DATABASE_URL"] = f"sqlite:///{DATA / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strata.settings")
os.environ["ALLOWED_HOSTS"] = "testserver"

import django

django.setup()

import yaml
from django.core.management import call_command
from django.test import Client

from bench.plans import plan_yaml
from strata.accounts.models import Membership, User
from strata.strategy import store
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision
from strata.strategy.plan.loader import load_plan
from strata.strategy.review.registry import run_review

SCALES = (1, 10, 100)


def median_seconds(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench@example.com", "bench password 123")
    client = Client()
    client.force_login(user)
    rows = []
    for scale in SCALES:
        data = plan_yaml(scale)
        path = DATA / f"plan-{scale}.yaml"
        path.write_bytes(data)
        runs = 5 if scale == 100 else 20
        check = median_seconds(lambda d=data: run_review(load_plan(d)), runs)  # type: ignore[misc]
        pyyaml = median_seconds(lambda d=data: yaml.load(d, Loader=yaml.CSafeLoader), 3 if scale == 100 else 10)  # type: ignore[misc]
        cli = median_seconds(
            lambda p=path: subprocess.run(
                [sys.executable, "-m", "strata.cli", "plan", "check", str(p), "--format", "json"], capture_output=True, check=False
            ),  # type: ignore[misc]
            3,
        )
        workspace, _ = import_plan(
            data=data, filename=path.name, workspace=None, slug=f"bench-{scale}", author=user, source=PlanRevision.Source.IMPORT
        )
        Membership.objects.get_or_create(user=user, workspace=workspace, defaults={"role": "owner"})
        url = f"/w/{workspace.slug}/review/"
        assert client.get(url).status_code == 200
        page = median_seconds(lambda u=url: client.get(u), runs)  # type: ignore[misc]
        # Cold: the first view after a change, before the parsed revision is cached.
        page_cold = median_seconds(lambda u=url: (store._parsed.clear(), client.get(u)), runs)  # type: ignore[misc]
        plan = load_plan(data)
        elements = sum(
            len(x) for x in (plan.objectives, plan.channels, plan.content.pillars, plan.response_plan, plan.strategies, plan.audiences)
        )
        rows.append((scale, len(data), elements, check, pyyaml, cli, page_cold, page, len(run_review(plan).findings)))

    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite; {time.strftime('%Y-%m-%d')}\n"
    )
    print(
        "| size | file | elements | findings | plan check in process | per 1,000 elements | PyYAML C load alone | `strata plan check` incl. start-up | review page, first view | review page, later views |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for scale, size, elements, check, pyyaml, cli, cold, warm, findings in rows:
        print(
            f"| {scale}× | {size / 1e6:.2f} MB | {elements:,} | {findings:,} | {check * 1000:.0f} ms | {check / elements * 1e6:.1f} ms | {pyyaml * 1000:.0f} ms "
            f"({pyyaml / check:.1f}× plan check) | {cli * 1000:.0f} ms | {cold * 1000:.0f} ms | {warm * 1000:.0f} ms |"
        )


if __name__ == "__main__":
    main()
