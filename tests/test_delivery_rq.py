"""At scale: delivery as Django tasks on Redis (django-tasks-rq), two RQ worker processes at
once, the same claiming code underneath: every post reaches the real PDS exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis

from tests.conftest import DEMO_PLAN
from tests.servers.pds import Pds
from tests.test_delivery_faults import SETUP, database  # noqa: F401 - the fixture of its own database

pytestmark = pytest.mark.redis
POSTS = 60


def test_two_task_workers_publish_each_post_once(pds: Pds, database: str, tmp_path: Path) -> None:  # noqa: F811
    redis_url = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/13"
    redis.Redis.from_url(redis_url).flushdb()
    account = pds.create_account(f"rq{uuid.uuid4().hex[:8]}")
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "STRATA_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "strata.settings",
        "TASKS_BACKEND": "django_tasks_rq.RQBackend",
        "REDIS_URL": redis_url,
    }

    def strata(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "strata.cli", *args], env=env, capture_output=True, text=True, timeout=300, check=True
        ).stdout

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
    import time

    time.sleep(3)
    # Small batches, so that both workers get a share.
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from strata.publishing.tasks import deliver_due; [deliver_due.enqueue(10) for _ in range(8)]",
        ],
        env=env,
        check=True,
        timeout=60,
    )
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
                f"w{i}-{uuid.uuid4().hex[:6]}",
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

    posts = json.loads(strata("post", "list", "--workspace", "acme", "--format", "json"))
    assert Counter(p["state"] for p in posts) == {"published": POSTS}
    texts = Counter(r["value"]["text"] for r in pds.records(account.did))  # type: ignore[index]
    assert texts == {f"Fault test post number {i}": 1 for i in range(POSTS)}
    attempt_workers = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from strata.publishing.models import Attempt; print(Attempt.objects.values('worker').distinct().count())",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert int(attempt_workers) >= 2  # several processes delivered (RQ forks one per job)
