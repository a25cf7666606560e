"""A Strata of its own for tests and benchmarks that run real worker processes: a database
(SQLite file or PostgreSQL), the demo plan, channel acme-bsky connected to a fresh account on
the real PDS, and N approved posts due a few seconds from now."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from tests.servers.pds import BlueskyAccount, Pds

ROOT = Path(__file__).resolve().parents[2]
DEMO_PLAN = ROOT / "strata" / "strategy" / "demo.yaml"

SCHEDULE_POSTS = """
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
        variants=[actions.VariantInput("acme-bsky", f"{sys.argv[2]} {i}")], objective_id="eu-awareness"))
    actions.approve(post=post, actor=None)
    actions.schedule(post=post, actor=None, at=at, accept_mix_warning=True)
print(at.timestamp())
"""

# The same steps as `strata migrate`, `strata plan import` and `strata channel connect` (the
# commands themselves, through call_command), then SCHEDULE_POSTS, in one process: each Strata
# process spends seconds starting, and the tests that use this are about the processes they start
# afterwards (the commands have tests of their own: test_plan_cli, test_publish_bluesky).
SETUP = """
import sys
import django
django.setup()
from django.core.management import call_command
plan, service, handle, password_file = sys.argv[3:7]
call_command("migrate", verbosity=0)
call_command("plan", "import", plan, "--workspace", "acme")
call_command("channel", "connect", "--workspace", "acme", "--channel", "acme-bsky", "--service", service, "--handle", handle,
    "--password-file", password_file)
""" + SCHEDULE_POSTS.replace("import django\ndjango.setup()\n", "")


def query(database_url: str, sql: str) -> list[tuple[object, ...]]:
    """Read a Strata's database directly, for the tests that poll or check what its processes
    did: a Strata process for each look would take seconds to start, beside the processes under
    test."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=30) as conn:
            return list(conn.execute(sql))
    import psycopg

    with psycopg.connect(database_url) as conn:
        return list(conn.execute(sql))


@dataclass
class Isolated:
    env: dict[str, str]
    account: BlueskyAccount

    def strata(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "strata.cli", *args], env=self.env, capture_output=True, text=True, timeout=600, check=True
        ).stdout

    def python(self, code: str, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", code, *args], env=self.env, capture_output=True, text=True, timeout=600, check=True
        ).stdout

    def query(self, sql: str) -> list[tuple[object, ...]]:
        return query(self.env["DATABASE_URL"], sql)

    def expected_texts(self, prefix: str, count: int) -> dict[str, int]:
        return {f"{prefix} {i}": 1 for i in range(count)}


def wait_until_due(scheduled_output: str) -> None:
    """Sleep until the time SCHEDULE_POSTS printed (and a little more), when its posts are due."""
    due = float(scheduled_output.strip().splitlines()[-1])
    time.sleep(max(0.0, due - time.time() + 0.5))


def isolated_strata(
    pds: Pds, database: str, data_dir: Path, *, posts: int, prefix: str, extra_env: dict[str, str] | None = None
) -> Isolated:
    account = pds.create_account(f"iso{uuid.uuid4().hex[:8]}")
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "STRATA_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "strata.settings",
        **(extra_env or {}),
    }
    strata = Isolated(env, account)
    (data_dir / "app-password").write_text(account.app_password)
    scheduled = strata.python(SETUP, str(posts), prefix, str(DEMO_PLAN), pds.url, account.handle, str(data_dir / "app-password"))
    wait_until_due(scheduled)
    return strata
