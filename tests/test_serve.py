"""`strata serve` is the single-machine default: the web app, with the publisher running in
the same process, publishing to the real PDS while pages are served."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

from tests.servers.isolated import isolated_strata
from tests.servers.pds import Pds, free_port


def test_serve_publishes_due_posts_from_its_own_process(pds: Pds, own_database: str, tmp_path: Path) -> None:
    iso = isolated_strata(pds, own_database, tmp_path, posts=3, prefix="Served post")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "strata.cli", "serve", "--port", str(port), "--no-demo"],
        env=iso.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        states: Counter[str] = Counter()
        while time.monotonic() < deadline and states != {"published": 3}:
            time.sleep(0.5)
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            states = Counter(p["state"] for p in json.loads(iso.strata("post", "list", "--workspace", "acme", "--format", "json")))
        assert states == {"published": 3}
        assert httpx.get(f"http://127.0.0.1:{port}/login/", timeout=10).status_code == 200
        workers = iso.python(
            "import django; django.setup(); from strata.publishing.models import Attempt; "
            "print(sorted(set(Attempt.objects.values_list('worker', flat=True))))"
        )
        assert workers.strip() == str([f"{socket.gethostname()}:{server.pid}"])  # the server's own process
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=60)
    assert code == 0
    texts = Counter(r["value"]["text"] for r in pds.records(iso.account.did))  # type: ignore[index]
    assert texts == iso.expected_texts("Served post", 3)
