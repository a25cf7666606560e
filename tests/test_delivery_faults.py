"""A worker killed with SIGKILL at random moments while 150 posts go to the real PDS, restarted
each time: in the end every post exists on the PDS exactly once and is 'published' in Strata.

The workers are real `strata worker` processes on a database of their own (a SQLite file, or a
fresh PostgreSQL database when the suite runs on PostgreSQL)."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.servers.isolated import isolated_strata
from tests.servers.pds import Pds

POSTS = 150  # enough for several kills mid-send; each restart costs a process start


def test_killed_workers_never_double_post_or_drop_a_post(pds: Pds, own_database: str, tmp_path: Path) -> None:
    iso = isolated_strata(pds, own_database, tmp_path, posts=POSTS, prefix="Fault test post number")
    rng = random.Random(20261125)
    kills = 0
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        worker = subprocess.Popen(
            [sys.executable, "-m", "strata.cli", "worker", "--interval", "0.2"],
            env={**iso.env, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        # The moment counts from when the worker delivers, not from when its process started: a
        # kill while Python is still importing would test nothing (and starting takes seconds).
        said = worker.stdout.readline() if worker.stdout else b""
        if b"delivering" not in said:
            worker.wait()
            pytest.fail(f"the worker did not start: {said.decode()}{worker.stderr.read().decode() if worker.stderr else ''}")
        time.sleep(rng.uniform(0.0, 1.5))
        if worker.poll() is not None:
            pytest.fail(f"the worker exited by itself: {worker.stderr.read().decode() if worker.stderr else ''}")
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills += 1
        # Read from the database directly: a Strata process per look would take seconds to start.
        unfinished = iso.query("SELECT COUNT(*) FROM publishing_variant WHERE state IN ('scheduled', 'publishing')")
        if unfinished == [(0,)]:
            break
    iso.strata("worker", "--once")  # whatever the last kill interrupted

    posts = json.loads(iso.strata("post", "list", "--workspace", "acme", "--format", "json"))
    assert kills >= 3
    assert Counter(p["state"] for p in posts) == {"published": POSTS}
    records = pds.records(iso.account.did)
    assert Counter(r["value"]["text"] for r in records) == iso.expected_texts("Fault test post number", POSTS)  # type: ignore[index]
    assert {v["uri"] for p in posts for v in p["variants"]} == {r["uri"] for r in records}
