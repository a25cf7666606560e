"""At scale: delivery as Django tasks on Redis (django-tasks-rq), two RQ worker processes at
once, the same claiming code underneath: every post reaches the real PDS exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis

from tests.servers.isolated import isolated_strata
from tests.servers.pds import Pds

pytestmark = pytest.mark.redis
POSTS = 60


def test_two_task_workers_publish_each_post_once(pds: Pds, own_database: str, tmp_path: Path) -> None:
    redis_url = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/13"
    redis.Redis.from_url(redis_url).flushdb()
    extra = {"TASKS_BACKEND": "django_tasks_rq.RQBackend", "REDIS_URL": redis_url}
    iso = isolated_strata(pds, own_database, tmp_path, posts=POSTS, prefix="Task post", extra_env=extra)
    # Small batches, so that both workers get a share.
    iso.python(
        "import django; django.setup(); from strata.publishing.tasks import deliver_due; [deliver_due.enqueue(10) for _ in range(8)]"
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
            env=iso.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for i in range(2)
    ]
    for worker in workers:
        assert worker.wait(timeout=300) == 0, worker.stderr.read().decode() if worker.stderr else ""

    # Read from the database directly: each Strata process takes seconds to start.
    assert iso.query("SELECT state, COUNT(*) FROM publishing_post GROUP BY state") == [("published", POSTS)]
    assert Counter(r["value"]["text"] for r in pds.records(iso.account.did)) == iso.expected_texts("Task post", POSTS)  # type: ignore[index]
    [(deliverers,)] = iso.query("SELECT COUNT(DISTINCT worker) FROM publishing_attempt")
    assert int(str(deliverers)) >= 2  # several processes delivered (RQ forks one per job)
