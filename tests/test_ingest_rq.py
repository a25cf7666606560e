"""At scale: ingest as Django tasks on Redis (django-tasks-rq), one source per task, two RQ worker
processes, the same claiming code as `strata ingest`: every item is stored once. The platform is
mastodon-mock, a FAKE of the Mastodon API, run in this process and reached over loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from mastodon import Mastodon
from mastodon_mock.testing import MockServer

from tests.conftest import DEMO_PLAN

pytestmark = pytest.mark.redis

CONNECT = """
import sys, django
django.setup()
from strata.accounts.models import Workspace
from strata.publishing import actions
actions.connect_channel(workspace=Workspace.objects.get(slug="acme"), actor=None, channel_id="acme-mastodon",
    service=sys.argv[1], handle="alice", secret="alice_token")
"""
HEARD = """
import json, django
django.setup()
from strata.engagement.models import HeardItem
print(json.dumps(list(HeardItem.objects.filter(kind="reply", context=False).values_list("remote_id", flat=True))))
"""


@pytest.fixture
def fake_mastodon() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


def test_two_task_workers_store_each_item_once(fake_mastodon: MockServer, own_database: str, tmp_path: Path) -> None:
    redis_url = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/12"
    redis.Redis.from_url(redis_url).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": own_database,
        "STRATA_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "strata.settings",
        "TASKS_BACKEND": "django_tasks_rq.RQBackend",
        "REDIS_URL": redis_url,
    }

    def strata(*args: str) -> str:
        return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=300, check=True).stdout

    strata("-m", "strata.cli", "migrate", "--verbosity", "0")
    strata("-m", "strata.cli", "plan", "import", str(DEMO_PLAN), "--workspace", "acme")
    strata("-c", CONNECT, fake_mastodon.base_url)
    brand = Mastodon(access_token="alice_token", api_base_url=fake_mastodon.base_url, version_check_mode="none")
    fan = Mastodon(access_token="bob_token", api_base_url=fake_mastodon.base_url, version_check_mode="none")
    ours = brand.status_post("Ask us about spring servicing")
    replies = {str(fan.status_post(f"@alice question {i}", in_reply_to_id=ours["id"])["id"]) for i in range(30)}

    # Enqueued twice, as two enqueuing loops might: the source is still read once at a time.
    assert "enqueued 1 source(s)" in strata("-m", "strata.cli", "ingest", "--enqueue", "--once")
    strata("-c", "import django; django.setup(); from strata.engagement.tasks import read_source; read_source.enqueue(1)")
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "strata.cli",
                "rqworker",
                "--job-class",
                "django_tasks_rq.Job",
                "--burst",
                "--name",
                f"i{i}-{uuid.uuid4().hex[:6]}",
                "default",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for i in range(2)
    ]
    for worker in workers:
        assert worker.wait(timeout=300) == 0, worker.stderr.read().decode() if worker.stderr else ""

    assert Counter(json.loads(strata("-c", HEARD))) == dict.fromkeys(replies, 1)
