"""A Strata of its own for tests and benchmarks that run real worker processes: a database
(SQLite file or PostgreSQL), the demo plan, channel acme-bsky connected to a fresh account on
the real PDS, and N approved posts due a few seconds from now."""

from __future__ import annotations

import os
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
"""


@dataclass
class Isolated:
    env: dict[str, str]
    account: BlueskyAccount

    def strata(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "strata.cli", *args], env=self.env, capture_output=True, text=True, timeout=600, check=True
        ).stdout

    def python(self, code: str) -> str:
        return subprocess.run([sys.executable, "-c", code], env=self.env, capture_output=True, text=True, timeout=600, check=True).stdout

    def expected_texts(self, prefix: str, count: int) -> dict[str, int]:
        return {f"{prefix} {i}": 1 for i in range(count)}


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
    strata.strata("migrate", "--verbosity", "0")
    strata.strata("plan", "import", str(DEMO_PLAN), "--workspace", "acme")
    (data_dir / "app-password").write_text(account.app_password)
    strata.strata(
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
        str(data_dir / "app-password"),
    )
    subprocess.run([sys.executable, "-c", SCHEDULE_POSTS, str(posts), prefix], env=env, check=True, timeout=600)
    time.sleep(2.5)  # until they are due
    return strata
