"""Benchmark: delivering due variants, with a no-op platform.

1. Dispatch: 100,000 variants due at the same moment, on SQLite and on PostgreSQL, with one
   worker process (the baseline) and with several: variants per second, and proof that each
   went out exactly once (every idempotency key published once, every variant 'published',
   one attempt row each).
2. Lateness under steady load: 100 variants falling due every second for 60 s, one worker;
   p50 and p99 of (published_at − due_at), against a light load of 10 a second measured in
   the same run.

    .venv/bin/python bench/dispatch.py [--count 100000] [--postgres postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _django(database_url: str, data_dir: str) -> None:
    os.environ.update(DATABASE_URL=database_url, STRATA_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="strata.settings")
    import django

    django.setup()
    from bench.noop import NoopAdapter
    from strata.platforms import registry

    registry.ADAPTERS["other"] = registry.Guarded(NoopAdapter())  # as every adapter is: inside the egress guard


def _worker(database_url: str, data_dir: str, out: str, ready: Any, go: Any) -> None:
    _django(database_url, data_dir)
    from django.db import connection

    from bench.noop import published
    from strata.publishing.delivery import run_once

    connection.ensure_connection()
    ready.release()
    go.wait()
    run_once()
    Path(out).write_text(json.dumps(dict(published)))


def prepare(database_url: str, data_dir: str, count: int, per_second: float | None = None, delay: float = 0) -> None:
    _django(database_url, data_dir)
    import datetime as dt

    from django.core.management import call_command
    from django.utils.timezone import now

    from bench.setup_load import make_variants, make_workspace

    call_command("migrate", verbosity=0)
    make_variants(
        make_workspace(f"load-{uuid.uuid4().hex[:6]}"), count, first_due=now() + dt.timedelta(seconds=delay), per_second=per_second
    )


def dispatch(database_url: str, count: int, processes: int) -> tuple[float, dict[str, int]]:
    data_dir = tempfile.mkdtemp(prefix="strata-bench-")
    setup = multiprocessing.Process(target=prepare, args=(database_url, data_dir, count))
    setup.start()
    setup.join()
    outs = [f"{data_dir}/published-{i}.json" for i in range(processes)]
    # The clock starts once every worker has started Python, loaded Django and connected: what
    # is measured is delivery, not process start-up.
    ready, go = multiprocessing.Semaphore(0), multiprocessing.Event()
    workers = [multiprocessing.Process(target=_worker, args=(database_url, data_dir, out, ready, go)) for out in outs]
    for w in workers:
        w.start()
    for _ in workers:
        ready.acquire()
    start = time.perf_counter()
    go.set()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    keys: dict[str, int] = {}
    for out in outs:
        for key, n in json.loads(Path(out).read_text()).items():
            keys[key] = keys.get(key, 0) + n
    check = multiprocessing.Queue()  # type: ignore[var-annotated]
    probe = multiprocessing.Process(target=_verify, args=(database_url, data_dir, check))
    probe.start()
    probe.join()
    return elapsed, {"published_keys": len(keys), "max_per_key": max(keys.values()), "publishes": sum(keys.values()), **check.get()}


def _verify(database_url: str, data_dir: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    _django(database_url, data_dir)
    from django.db.models import Count

    from strata.publishing.models import Attempt, Variant

    states = dict(Variant.objects.values_list("state").annotate(n=Count("id")))
    queue.put(
        {
            "variants_published": states.get("published", 0),
            "other_states": sum(v for k, v in states.items() if k != "published"),
            "attempt_rows": Attempt.objects.count(),
        }
    )


def _lateness_worker(database_url: str, data_dir: str, seconds: float, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    _django(database_url, data_dir)
    from strata.publishing.delivery import run_once
    from strata.publishing.models import Variant

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not run_once(limit=50):
            time.sleep(0.05)  # `strata worker --interval 0.05`
    late = [
        (published - due).total_seconds()
        for published, due in Variant.objects.filter(state="published").values_list("published_at", "due_at")
    ]
    queue.put(late)


def lateness(database_url: str, per_second: float, seconds: float) -> dict[str, float]:
    data_dir = tempfile.mkdtemp(prefix="strata-bench-")
    setup = multiprocessing.Process(target=prepare, args=(database_url, data_dir, int(per_second * seconds), per_second, 3.0))
    setup.start()
    setup.join()
    queue = multiprocessing.Queue()  # type: ignore[var-annotated]
    worker = multiprocessing.Process(target=_lateness_worker, args=(database_url, data_dir, seconds + 5, queue))
    worker.start()
    late = queue.get()
    worker.join()
    late.sort()
    return {"count": len(late), "p50": statistics.median(late), "p99": late[int(len(late) * 0.99) - 1], "max": late[-1]}


def fresh_postgres(admin_url: str) -> str:
    import psycopg

    name = f"strata_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--lateness-seconds", type=float, default=60)
    parser.add_argument("--only", choices=["sqlite", "postgres", "lateness"], action="append", help="run only these parts (repeatable)")
    args = parser.parse_args()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {time.strftime('%Y-%m-%d')}\n")
    print(
        "| database | worker processes | variants | seconds | variants/s | × 1 process | each key published once | variants published | attempt rows |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    parts = set(args.only or ["sqlite", "postgres", "lateness"])
    databases = [
        ("SQLite", "sqlite", lambda: f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"),
        ("PostgreSQL", "postgres", lambda: fresh_postgres(args.postgres)),
    ]
    for label, part, make_url in databases:
        if part not in parts:
            continue
        baseline = None
        for processes in (1, args.processes):
            elapsed, proof = dispatch(make_url(), args.count, processes)
            rate = args.count / elapsed
            baseline = baseline or rate
            once = proof["published_keys"] == args.count and proof["max_per_key"] == 1 and proof["publishes"] == args.count
            print(
                f"| {label} | {processes} | {args.count:,} | {elapsed:.1f} | {rate:,.0f} | {rate / baseline:.2f}× | {'yes' if once else 'NO'} | "
                f"{proof['variants_published']:,} (other states: {proof['other_states']}) | {proof['attempt_rows']:,} |",
                flush=True,
            )
    if "lateness" not in parts:
        return
    print("\n| load | variants | p50 late | p99 late | max late |")
    print("|---|---|---|---|---|")
    for per_second in (10, 100):
        result = lateness(f"sqlite:///{tempfile.mkdtemp()}/late.sqlite3", per_second, args.lateness_seconds)
        print(
            f"| {per_second}/s for {args.lateness_seconds:.0f} s, SQLite | {result['count']:,} | {result['p50']:.3f} s | {result['p99']:.3f} s | {result['max']:.3f} s |",
            flush=True,
        )


if __name__ == "__main__":
    main()
