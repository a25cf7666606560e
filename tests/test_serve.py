"""`strata serve` is the single-machine default: the web app, the publisher and the task worker,
each a process of its own under a supervisor, publishing to the real PDS while pages are served.
A crash of one does not stop the others, and what stopped is started again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.servers.isolated import SCHEDULE_POSTS, Isolated, isolated_strata
from tests.servers.pds import Pds, free_port

# Processes, parsers or the command line, not what differs between databases: the SQLite pass only.
pytestmark = pytest.mark.one_database


def children_of(pid: int) -> dict[str, int]:
    """The supervisor's children by role: 'web', 'worker' or 'db_worker' (their strata command)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid and b"strata.cli" in argv:
            found[argv[argv.index(b"strata.cli") + 1].decode()] = int(entry.name)
    return found


def wait_for(condition: Callable[[], bool], what: str, server: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert server.poll() is None, f"strata serve stopped while waiting for {what}"
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.3)


def answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/login/", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def states(iso: Isolated) -> Counter[str]:
    return Counter(p["state"] for p in json.loads(iso.strata("post", "list", "--workspace", "acme", "--format", "json")))


@contextmanager
def serving(iso: Isolated) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "strata.cli", "serve", "--port", str(port), "--no-demo"], env=iso.env, stdout=subprocess.DEVNULL
    )
    try:
        wait_for(lambda: answers(port), "the web app", server)
        yield server, port
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=60)
        assert code == 0
        assert not children_of(server.pid), "a child outlived strata serve"


def schedule(iso: Isolated, count: int, prefix: str) -> None:
    subprocess.run([sys.executable, "-c", SCHEDULE_POSTS, str(count), prefix], env=iso.env, check=True, timeout=600)


def test_serve_publishes_due_posts_from_the_publisher_it_runs(pds: Pds, own_database: str, tmp_path: Path) -> None:
    iso = isolated_strata(pds, own_database, tmp_path, posts=3, prefix="Served post")
    with serving(iso) as (server, _port):
        wait_for(lambda: states(iso) == {"published": 3}, "three posts to go out", server)
        workers = iso.python(
            "import django; django.setup(); from strata.publishing.models import Attempt; "
            "print(sorted(set(Attempt.objects.values_list('worker', flat=True))))"
        )
        publisher = children_of(server.pid)["worker"]
        assert workers.strip().endswith(f":{publisher}']")  # the publisher serve started, and no one else
    texts = Counter(r["value"]["text"] for r in pds.records(iso.account.did))  # type: ignore[index]
    assert texts == iso.expected_texts("Served post", 3)


def test_a_crash_of_one_process_stops_neither_the_other_nor_itself(pds: Pds, own_database: str, tmp_path: Path) -> None:
    iso = isolated_strata(pds, own_database, tmp_path, posts=1, prefix="Before")
    with serving(iso) as (server, port):
        wait_for(lambda: states(iso) == {"published": 1}, "the first post", server)
        first = children_of(server.pid)

        # The web app dies as a parser overflowing its stack would: the publisher goes on.
        os.kill(first["web"], signal.SIGSEGV)
        schedule(iso, 1, "While the web app was down")
        wait_for(lambda: states(iso) == {"published": 2}, "a post while the web app restarts", server)
        wait_for(lambda: answers(port), "the web app to be started again", server)
        assert children_of(server.pid)["web"] != first["web"]
        assert children_of(server.pid)["worker"] == first["worker"]

        # The publisher dies: the web app goes on answering, and a new publisher delivers.
        os.kill(first["worker"], signal.SIGKILL)
        assert answers(port)
        schedule(iso, 1, "After the publisher restarted")
        wait_for(lambda: states(iso) == {"published": 3}, "a post from the new publisher", server)
        assert children_of(server.pid)["worker"] != first["worker"]
    texts = Counter(r["value"]["text"] for r in pds.records(iso.account.did))  # type: ignore[index]
    assert texts == {"Before 0": 1, "While the web app was down 0": 1, "After the publisher restarted 0": 1}


def test_serve_says_so_when_its_port_is_taken(own_database: str, tmp_path: Path) -> None:
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": own_database, "STRATA_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "strata.settings"}
    try:
        result = subprocess.run(
            [sys.executable, "-m", "strata.cli", "serve", "--port", str(port), "--no-demo", "--no-worker"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        taken.close()
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "Traceback" not in result.stderr
