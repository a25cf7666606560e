"""A worker killed with SIGKILL at random moments while 300 posts go to the real PDS, restarted
each time: in the end every post exists on the PDS exactly once and is 'published' in Strata.

The workers are real `strata worker` processes on a database of their own (a SQLite file, or a
fresh PostgreSQL database when the suite runs on PostgreSQL)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DEMO_PLAN
from tests.servers.pds import Pds

POSTS = 300

SETUP = """
import datetime as dt, sys
import django
django.setup()
from django.utils.timezone import now
from strata.accounts.models import Workspace
from strata.publishing import actions
workspace = Workspace.objects.get(slug="acme")
at = now() + dt.timedelta(seconds=3)
for i in range(int(sys.argv[1])):
    post = actions.create_post(workspace=workspace, actor=None, data=actions.PostInput(
        variants=[actions.VariantInput("acme-bsky", f"Fault test post number {i}")], objective_id="eu-awareness"))
    actions.approve(post=post, actor=None)
    actions.schedule(post=post, actor=None, at=at, accept_mix_warning=True)
"""


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'fault.sqlite3'}"
        return
    import psycopg

    name = f"strata_fault_{uuid.uuid4().hex[:8]}"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_killed_workers_never_double_post_or_drop_a_post(pds: Pds, database: str, tmp_path: Path) -> None:
    account = pds.create_account(f"fault{uuid.uuid4().hex[:6]}")
    env = {**os.environ, "DATABASE_URL": database, "STRATA_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "strata.settings"}

    def strata(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "strata.cli", *args], env=env, capture_output=True, text=True, timeout=300, check=True)

    strata("migrate", "--verbosity", "0")
    strata("plan", "import", str(DEMO_PLAN), "--workspace", "acme")
    (tmp_path / "pw").write_text(account.app_password)
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
        str(tmp_path / "pw"),
    )
    subprocess.run([sys.executable, "-c", SETUP, str(POSTS)], env=env, check=True, timeout=300)
    time.sleep(3)

    rng = random.Random(20261125)
    kills = 0
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        worker = subprocess.Popen(
            [sys.executable, "-m", "strata.cli", "worker", "--interval", "0.2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        time.sleep(rng.uniform(0.4, 2.5))
        if worker.poll() is not None:
            pytest.fail(f"the worker exited by itself: {worker.stderr.read().decode() if worker.stderr else ''}")
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills += 1
        states = Counter(
            v["state"]
            for post in json.loads(strata("post", "list", "--workspace", "acme", "--format", "json").stdout)
            for v in post["variants"]
        )
        if states.get("scheduled", 0) + states.get("publishing", 0) == 0:
            break
    strata("worker", "--once")  # whatever the last kill interrupted

    posts = json.loads(strata("post", "list", "--workspace", "acme", "--format", "json").stdout)
    assert kills >= 3
    assert Counter(p["state"] for p in posts) == {"published": POSTS}
    texts = Counter(r["value"]["text"] for r in pds.records(account.did))  # type: ignore[index]
    assert texts == {f"Fault test post number {i}": 1 for i in range(POSTS)}
    uris = {v["uri"] for p in posts for v in p["variants"]}
    assert uris == {r["uri"] for r in pds.records(account.did)}
