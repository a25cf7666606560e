"""Benchmark: from a reply written on the PDS to the item stored and classified in Strata.

A real Bluesky network on 127.0.0.1 (`tests/servers/network.py`: PLC, PDS, AppView), a real
`strata ingest` process on a database of its own (SQLite, the demo plan imported, the channel
`acme-bsky` connected to the brand's account on the network's PDS). A fan replies to the
brand's post REPLIES times at PACE per second; for each reply:

- written: the PDS answered the createRecord call (the record is in the repository);
- baseline, in the same run: the AppView lists it in the brand's listNotifications (its own
  indexing, which Strata reads through);
- Strata: the HeardItem is stored with its labels (sentiment set).

Both are polled every POLL seconds, which bounds the error of each figure by that interval.
The inbox model's artefacts are not in the repository yet, so the ingest process labels with
the listening model (the launcher below points `classify.inbox_model` at it; everything else
is the command as `strata serve` runs it).

    .venv/bin/python bench/ingest_latency.py [--replies 200] [--pace 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers.network import BlueskyNetwork

DEMO_PLAN = ROOT / "strata" / "strategy" / "demo.yaml"
POLL = 0.1
TEXTS = [
    "@{brand} my order {i} never arrived, where is it?",
    "Love the new commuter bike, thanks! ({i})",
    "Does the {i}-speed model come in a larger frame?",
    "The chain snapped after two weeks. Not happy. #{i}",
    "Great service at the shop today {i}",
]
CONNECT = """
import sys, django
django.setup()
from strata.publishing import actions
from strata.accounts.models import Workspace
actions.connect_channel(workspace=Workspace.objects.get(slug="acme"), actor=None, channel_id="acme-bsky",
    service=sys.argv[1], handle=sys.argv[2], secret=sys.argv[3])
"""
# `strata ingest` as `strata serve` starts it, labelling with the listening model.
INGEST = """
import sys, django
django.setup()
from strata.engagement import classify
classify.inbox_model = classify.listening_model
from django.core.management import call_command
call_command("ingest", "--no-stream")
"""


def percentiles(values: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return statistics.median(values), cuts[94], max(values)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in line), "")
    return f"{cpu or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {dt.datetime.now(dt.UTC):%Y-%m-%d}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replies", type=int, default=200)
    parser.add_argument("--pace", type=float, default=2.0, help="replies per second")
    args = parser.parse_args()

    from atproto import models

    why = BlueskyNetwork.available()
    if why:
        sys.exit(f"the Bluesky network cannot run here: {why}")
    net = BlueskyNetwork().start()
    data_dir = tempfile.mkdtemp(prefix="strata-bench-latency-")
    database = Path(data_dir) / "strata.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "STRATA_DATA_DIR": data_dir,
        "DJANGO_SETTINGS_MODULE": "strata.settings",
        "STRATA_ALLOW_PRIVATE_HOSTS": "127.0.0.0/8",
    }
    ingest = None
    try:
        print(machine())
        print(f"network started in {net.startup_seconds:.1f} s\n")
        brand, fan = net.create_account(), net.create_account()
        ours = net.post(brand, "Ask us anything about spring servicing")
        root = models.ComAtprotoRepoStrongRef.Main(uri=ours.uri, cid=ours.cid)
        reply_to = models.AppBskyFeedPost.ReplyRef(parent=root, root=root)

        def run(*argv: str) -> None:
            subprocess.run([sys.executable, *argv], env=env, check=True, capture_output=True, timeout=300, cwd=ROOT)

        run("-m", "strata.cli", "migrate", "--verbosity", "0")
        run("-m", "strata.cli", "plan", "import", str(DEMO_PLAN), "--workspace", "acme")
        run("-c", CONNECT, net.pds_url, brand.handle, brand.app_password)
        ingest = subprocess.Popen([sys.executable, "-c", INGEST], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        # Warm up: the first read connects and stores the brand's own thread; wait until Strata is idle.
        time.sleep(5)

        written: dict[str, float] = {}
        appview: dict[str, float] = {}
        strata: dict[str, float] = {}
        done = threading.Event()

        def watch_appview() -> None:
            while not done.is_set():
                seen = time.monotonic()
                for n in net.notifications(brand, limit=100).notifications:
                    if n.uri in written:
                        appview.setdefault(n.uri, seen)
                time.sleep(POLL)

        def watch_strata() -> None:
            db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
            while not done.is_set():
                seen = time.monotonic()
                for (uri,) in db.execute("SELECT remote_id FROM engagement_hearditem WHERE sentiment != ''"):
                    if uri in written:
                        strata.setdefault(uri, seen)
                time.sleep(POLL)
            db.close()

        watchers = [threading.Thread(target=watch_appview, daemon=True), threading.Thread(target=watch_strata, daemon=True)]
        for w in watchers:
            w.start()
        start = time.monotonic()
        for i in range(args.replies):
            time.sleep(max(0.0, start + i / args.pace - time.monotonic()))
            ref = net.post(fan, TEXTS[i % len(TEXTS)].format(brand=brand.handle, i=i), reply_to=reply_to)
            written[ref.uri] = time.monotonic()
        deadline = time.monotonic() + 60
        while (len(strata) < len(written) or len(appview) < len(written)) and time.monotonic() < deadline:
            time.sleep(0.5)
        done.set()
        for w in watchers:
            w.join()

        both = [uri for uri in written if uri in strata and uri in appview]
        rows = [
            ("AppView: written → in listNotifications (baseline)", [appview[u] - written[u] for u in written if u in appview]),
            ("Strata: written → stored and classified", [strata[u] - written[u] for u in written if u in strata]),
            ("Strata's share: listed by the AppView → stored and classified", [strata[u] - appview[u] for u in both]),
        ]
        print(f"{len(written)} replies at {args.pace:g}/s; polled every {POLL:g} s\n")
        print("| measure | replies | p50 | p95 | max |")
        print("|---|---|---|---|---|")
        for name, values in rows:
            p50, p95, top = percentiles(values)
            print(f"| {name} | {len(values)} | {p50:.2f} s | {p95:.2f} s | {top:.2f} s |")
        missing = len(written) - len(strata)
        if missing:
            print(f"\n{missing} replies were not stored and classified within 60 s of the last one")
    finally:
        if ingest is not None:
            ingest.terminate()
            ingest.wait(30)
        net.stop()


if __name__ == "__main__":
    main()
