"""Benchmark: publishing to the real Bluesky PDS (tests/servers/bluesky) with several worker
processes at once, against a single sequential worker measured in the same run.

    .venv/bin/python bench/pds_publish.py [--posts 200] [--processes 4]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers.isolated import isolated_strata
from tests.servers.pds import Pds


def run(pds: Pds, posts: int, processes: int) -> tuple[float, bool]:
    data = Path(tempfile.mkdtemp(prefix="strata-bench-"))
    iso = isolated_strata(pds, f"sqlite:///{data}/b.sqlite3", data, posts=posts, prefix="Benchmark post")
    start = time.perf_counter()
    workers = [
        subprocess.Popen([sys.executable, "-m", "strata.cli", "worker", "--once"], env=iso.env, stdout=subprocess.DEVNULL)
        for _ in range(processes)
    ]
    for worker in workers:
        worker.wait(timeout=900)
    elapsed = time.perf_counter() - start
    texts = Counter(r["value"]["text"] for r in pds.records(iso.account.did))  # type: ignore[index]
    return elapsed, texts == iso.expected_texts("Benchmark post", posts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--processes", type=int, default=4)
    args = parser.parse_args()
    pds = Pds().start()
    try:
        print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {time.strftime('%Y-%m-%d')}\n")
        print("| workers | posts | seconds (incl. start-up) | posts/s | × sequential | each post on the PDS once |")
        print("|---|---|---|---|---|---|")
        baseline = None
        for processes in (1, args.processes):
            elapsed, once = run(pds, args.posts, processes)
            rate = args.posts / elapsed
            baseline = baseline or rate
            print(
                f"| {processes} | {args.posts} | {elapsed:.1f} | {rate:.1f} | {rate / baseline:.2f}× | {'yes' if once else 'NO'} |",
                flush=True,
            )
    finally:
        pds.stop()


if __name__ == "__main__":
    main()
