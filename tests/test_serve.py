"""`strata serve` is the single-machine default: the web app, the publisher and the task worker,
each a process of its own under a supervisor, publishing to the real PDS while pages are served.
A crash of one does not stop the others, and what stopped is started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_SERVERS, database_of_its_own
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
        time.sleep(0.1)


def answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/login/", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def states(iso: Isolated, prefix: str) -> Counter[str]:
    """The states of the posts whose text starts with `prefix`, read from the database directly
    (the tests poll this; a `strata post list` per look would take seconds)."""
    rows = iso.query(
        "SELECT p.state, COUNT(DISTINCT p.id) FROM publishing_post p JOIN publishing_variant v ON v.post_id = p.id "
        f"WHERE v.text LIKE '{prefix} %' GROUP BY p.state"
    )
    return Counter({str(state): int(str(count)) for state, count in rows})


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
    iso.python(SCHEDULE_POSTS, str(count), prefix)


@dataclass
class Served:
    iso: Isolated
    server: subprocess.Popen[bytes]
    port: int
    first: dict[str, int]  # the children serve started with, by role


@pytest.fixture(scope="module")
def served(pds: Pds, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One `strata serve` for this module's tests, with three posts due as it starts: each start
    of serve and its five processes takes many seconds. It must stop cleanly at the end (exit 0,
    no child left behind)."""
    directory = tmp_path_factory.mktemp("serve")
    with database_of_its_own(directory) as database:
        # Started before the autouse fixture allows the test servers for each test: allowed here.
        allowed = {"STRATA_ALLOW_PRIVATE_HOSTS": TEST_SERVERS}
        iso = isolated_strata(pds, database, directory, posts=3, prefix="Served post", extra_env=allowed)
        with serving(iso) as (server, port):
            yield Served(iso, server, port, children_of(server.pid))


def test_serve_publishes_due_posts_from_the_publisher_it_runs(pds: Pds, served: Served) -> None:
    iso = served.iso
    wait_for(lambda: states(iso, "Served post") == {"published": 3}, "three posts to go out", served.server)
    workers = iso.query(
        "SELECT DISTINCT a.worker FROM publishing_attempt a JOIN publishing_variant v ON a.variant_id = v.id "
        "WHERE v.text LIKE 'Served post %'"
    )
    assert len(workers) == 1
    assert str(workers[0][0]).endswith(f":{served.first['worker']}")  # the publisher serve started, and no one else
    texts = Counter(r["value"]["text"] for r in pds.records(iso.account.did))  # type: ignore[index]
    assert {text: n for text, n in texts.items() if text.startswith("Served post")} == iso.expected_texts("Served post", 3)


def test_a_crash_of_one_process_stops_neither_the_other_nor_itself(pds: Pds, served: Served) -> None:
    iso, server, port = served.iso, served.server, served.port
    wait_for(lambda: states(iso, "Served post") == {"published": 3}, "the first posts", server)
    first = children_of(server.pid)

    # The web app dies as a parser overflowing its stack would: the publisher goes on.
    os.kill(first["web"], signal.SIGSEGV)
    schedule(iso, 1, "While the web app was down")
    wait_for(lambda: states(iso, "While the web app was down") == {"published": 1}, "a post while the web app restarts", server)
    wait_for(lambda: answers(port), "the web app to be started again", server)
    assert children_of(server.pid)["web"] != first["web"]
    assert children_of(server.pid)["worker"] == first["worker"]

    # The publisher dies: the web app goes on answering, and a new publisher delivers.
    os.kill(first["worker"], signal.SIGKILL)
    assert answers(port)
    schedule(iso, 1, "After the publisher restarted")
    wait_for(lambda: states(iso, "After the publisher restarted") == {"published": 1}, "a post from the new publisher", server)
    assert children_of(server.pid)["worker"] != first["worker"]
    texts = Counter(r["value"]["text"] for r in pds.records(iso.account.did))  # type: ignore[index]
    assert texts == {**iso.expected_texts("Served post", 3), "While the web app was down 0": 1, "After the publisher restarted 0": 1}


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
