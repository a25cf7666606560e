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
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers.pds import Pds

SETUP = """
import datetime as dt, sys
import django
django.setup()
from django.utils.timezone import now
from strata.accounts.models import Workspace
from strata.publishing import actions
workspace = Workspace.objects.get(slug="acme")
at = now() + dt.timedelta(seconds=2)
for i in range(int(sys.argv[1])):
    post = actions.create_post(workspace=workspace, actor=None, data=actions.PostInput(
        variants=[actions.VariantInput("acme-bsky", f"Benchmark post {i}")], objective_id="eu-awareness"))
    actions.approve(post=post, actor=None)
    actions.schedule(post=post, actor=None, at=at, accept_mix_warning=True)
"""


def run(pds: Pds, posts: int, processes: int) -> tuple[float, bool]:
    data = tempfile.mkdtemp(prefix="strata-bench-")
    account = pds.create_account(f"bench{uuid.uuid4().hex[:8]}")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{data}/b.sqlite3",
        "STRATA_DATA_DIR": data,
        "DJANGO_SETTINGS_MODULE": "strata.settings",
    }

    def strata(*args: str) -> None:
        subprocess.run([sys.executable, "-m", "strata.cli", *args], env=env, check=True, capture_output=True, timeout=600)

    strata("migrate", "--verbosity", "0")
    strata("plan", "import", str(ROOT / "strata" / "strategy" / "demo.yaml"), "--workspace", "acme")
    Path(data, "pw").write_text(account.app_password)
    strata(
        "channel",
        "connect",
        "--workspace",
        "acme",
        "--channel",
        "acme-bsky",
        "--service",
        pds.url,
        "--handle",
        account.handle,
        "--password-file",
        f"{data}/pw",
    )
    subprocess.run([sys.executable, "-c", SETUP, str(posts)], env=env, check=True, timeout=600)
    time.sleep(2.5)
    start = time.perf_counter()
    workers = [
        subprocess.Popen([sys.executable, "-m", "strata.cli", "worker", "--once"], env=env, stdout=subprocess.DEVNULL)
        for _ in range(processes)
    ]
    for worker in workers:
        worker.wait(timeout=900)
    elapsed = time.perf_counter() - start
    texts = Counter(r["value"]["text"] for r in pds.records(account.did))  # type: ignore[index]
    return elapsed, texts == {f"Benchmark post {i}": 1 for i in range(posts)}


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
