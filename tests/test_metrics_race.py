"""Two `strata metrics collect --once` processes started together on the same database read each
post once: the leases, not luck, decide who reads what (on PostgreSQL they really race; SQLite
takes their writes one at a time). The platform is mastodon-mock, a FAKE of the Mastodon API, run
in this process and reached over loopback."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from mastodon import Mastodon
from mastodon_mock.testing import MockServer

from tests.conftest import DEMO_PLAN

SETUP = """
import sys, django
django.setup()
from pathlib import Path
from django.core.management import call_command
from django.utils.timezone import now
from strata.publishing import actions
from strata.publishing.models import Post, Variant
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision
call_command("migrate", verbosity=0)
acme, _ = import_plan(data=Path(sys.argv[1]).read_bytes(), filename="demo.yaml", workspace=None, slug="acme", author=None,
    source=PlanRevision.Source.IMPORT)
actions.connect_channel(workspace=acme, actor=None, channel_id="acme-mastodon", service=sys.argv[2], handle="alice", secret="alice_token")
for status_id in sys.argv[3:]:
    post = Post.objects.create(workspace=acme, title=status_id, state="published")
    Variant.objects.create(post=post, channel_id="acme-mastodon", platform="mastodon", text=status_id, keys=["k"],
        state="published", remote_id=status_id, published_at=now())
"""


def query(database_url: str, sql: str) -> list[tuple[object, ...]]:
    """Read the collectors' database directly: one Django process fewer (they are slow to start)."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            return list(conn.execute(sql))
    with psycopg.connect(database_url) as conn:
        return list(conn.execute(sql))


@pytest.fixture
def fake_mastodon() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


def test_two_collectors_at_once_read_each_post_once(fake_mastodon: MockServer, own_database: str, tmp_path: Path) -> None:
    alice = Mastodon(access_token="alice_token", api_base_url=fake_mastodon.base_url, version_check_mode="none")
    statuses = [str(alice.status_post(f"Route {n}")["id"]) for n in range(60)]  # three batches of 20
    Mastodon(access_token="bob_token", api_base_url=fake_mastodon.base_url, version_check_mode="none").status_favourite(statuses[0])
    env = {**os.environ, "DATABASE_URL": own_database, "STRATA_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "strata.settings"}

    def strata(*args: str) -> str:
        return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=300, check=True).stdout

    strata("-c", SETUP, str(DEMO_PLAN), fake_mastodon.base_url, *statuses)

    collectors = [
        subprocess.Popen(
            [sys.executable, "-m", "strata.cli", "metrics", "collect", "--once"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    said = [c.communicate(timeout=120) for c in collectors]
    assert all(c.returncode == 0 for c in collectors), said
    # What each says it stored adds up to one reading per post, one follower count in all.
    told = [re.match(r"followers of (\d+) channel\(s\), (\d+) post reading", out) for out, _ in said]
    assert all(told), said
    assert sum(int(m.group(2)) for m in told if m) == len(statuses)
    assert sum(int(m.group(1)) for m in told if m) == 1

    posts = query(own_database, "SELECT v.remote_id, r.likes FROM analytics_postreading r JOIN publishing_variant v ON v.id = r.variant_id")
    assert Counter(remote_id for remote_id, _ in posts) == {status_id: 1 for status_id in statuses}
    assert dict(posts)[statuses[0]] == 1
    assert query(own_database, "SELECT channel_id, followers FROM analytics_followercount") == [("acme-mastodon", 0)]
