"""Listening on the Bluesky event stream: com.atproto.sync.subscribeRepos of a real PDS
(tests/servers/pds.py), read for the whole installation and matched against every workspace's
listening queries at once."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from atproto import Client
from django.db import OperationalError

from strata.accounts.models import Workspace
from strata.engagement.listening import stream
from strata.engagement.models import HeardItem, StreamCursor
from strata.env import AllowList
from strata.platforms.bluesky.stream import BlueskyStream, Event, decode
from strata.platforms.egress import EgressRefused
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision
from tests.servers.isolated import query
from tests.servers.pds import BlueskyAccount, Pds

ROOT = Path(__file__).resolve().parent.parent
DEMO_PLAN = ROOT / "strata" / "strategy" / "demo.yaml"
POSTS = 40


def plan_with(queries: dict[str, str]) -> bytes:
    """The demo plan with these listening queries instead of its own."""
    plan = yaml.safe_load(DEMO_PLAN.read_text())
    plan["listening"] = [{"id": qid, "topic": "industry", "query": query} for qid, query in queries.items()]
    return yaml.safe_dump(plan, allow_unicode=True).encode()


def workspace(slug: str, queries: dict[str, str]) -> Workspace:
    made, _ = import_plan(
        data=plan_with(queries), filename=f"{slug}.yaml", workspace=None, slug=slug, author=None, source=PlanRevision.Source.IMPORT
    )
    return made


class Poster:
    """An account posting on the PDS with the `atproto` SDK (no AppView: no profile is fetched)."""

    def __init__(self, pds: Pds, account: BlueskyAccount) -> None:
        self.client = Client(base_url=pds.url)
        self.client.login(account.handle, account.password, fetch_bsky_profile=False)
        self.did = account.did

    def send_post(self, text: str) -> Any:
        return self.client.send_post(text, profile_identify=self.did)

    def delete_post(self, uri: str) -> None:
        self.client.delete_post(uri)


def poster(pds: Pds, account: BlueskyAccount) -> Poster:
    return Poster(pds, account)


def wait_for(probe: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = probe()
        except OperationalError as exc:
            # SQLite's shared in-memory test database answers "table is locked" at once, instead
            # of waiting, while the reader's thread writes: look again, as a page would reload.
            if "locked" not in str(exc):
                raise
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise TimeoutError(f"waited {timeout:.0f} s for {what}")


class Listening:
    """The stream reader running in a thread, and a way to know it has taken in a plan change."""

    def __init__(self, pds: Pds) -> None:
        self.url = pds.url
        self.marker = poster(pds, pds.create_account(f"m{secrets.token_hex(4)}"))

    def caught_up(self) -> None:
        """Wait until the reader stores a batch after this call. The reader compiles the queries
        at the start of each batch (a plan saved counts from the next batch, within FLUSH), and a
        post made after that store falls in a later batch: it is matched against every plan
        saved before this was called."""
        before = StreamCursor.objects.get(url=self.url).cursor or 0

        def stored() -> bool:
            self.marker.send_post("marker")  # a post made before the reader connected is not seen
            return (StreamCursor.objects.get(url=self.url).cursor or 0) > before

        wait_for(stored, "the stream reader to store a batch")


@pytest.fixture
def listening(pds: Pds, transactional_db: Any) -> Iterator[Listening]:
    """The stream reader in a thread, from the stream's present, once it is reading. (The PDS has
    served the whole session's tests: replaying all of that is not what these tests are about,
    and its length depends on which tests ran before.)"""
    StreamCursor.objects.create(platform="bluesky", url=pds.url, cursor=None)
    stop = threading.Event()
    reader = threading.Thread(target=stream.listen, kwargs={"stop": stop, "worker": "test:stream", "url": pds.url})
    reader.start()
    running = Listening(pds)
    running.caught_up()
    yield running
    stop.set()
    reader.join(10)


def test_it_hears_strangers_posts_in_the_workspaces_whose_queries_match(pds: Pds, listening: Listening) -> None:
    word, other = f"velo{secrets.token_hex(3)}", f"rando{secrets.token_hex(3)}"
    acme = workspace("acme", {"cargo": f'"{word} cargo" OR #{word}', "either": f"{word}* OR {other}"})
    rival = workspace("rival", {"trails": f"{other} NEAR/2 trail*"})
    listening.caught_up()
    stranger = pds.create_account(f"s{secrets.token_hex(4)}")  # never mentions either brand
    client = poster(pds, stranger)

    cargo = client.send_post(f"Took the {word} cargo to the market").uri
    both = client.send_post(f"{other} trails after the rain, then a {word}").uri
    client.send_post("Nothing to hear in this one")
    last = client.send_post(f"Only {word}s here").uri

    wait_for(lambda: HeardItem.objects.filter(remote_id=last).exists(), "the last post to arrive")
    # Labelled by the listening model just after the batch is stored; once labelled, the reader
    # has nothing left to write and the reads below see the whole batch.
    heard = [cargo, both, last]
    labelled = HeardItem.objects.filter(remote_id__in=heard).exclude(sentiment="")
    wait_for(lambda: labelled.count() == 4, "the posts' labels")  # three in acme, one in rival
    assert dict(HeardItem.objects.filter(workspace=acme).values_list("remote_id", "matched_queries")) == {
        cargo: ["cargo", "either"],
        both: ["either"],
        last: ["either"],
    }
    assert dict(HeardItem.objects.filter(workspace=rival).values_list("remote_id", "matched_queries")) == {both: ["trails"]}
    item = HeardItem.objects.get(workspace=acme, remote_id=cargo)
    assert (item.kind, item.context, item.author_id, item.platform) == ("post", False, stranger.did, "bluesky")
    # Labelled by the listening model just after the batch is stored.
    wait_for(lambda: HeardItem.objects.get(pk=item.pk).sentiment in ("negative", "neutral", "positive"), "the post's label")
    assert item.url.startswith("https://bsky.app/profile/")
    assert HeardItem.objects.filter(workspace=acme, matched_key__contains=",cargo,").count() == 1

    # Deleted on the platform: shown as deleted in every workspace that heard it, its text gone.
    client.delete_post(both)
    wait_for(lambda: not HeardItem.objects.filter(remote_id=both, deleted_at__isnull=True).exists(), "the deletion")
    assert set(HeardItem.objects.filter(remote_id=both).values_list("text", flat=True)) == {""}
    assert (StreamCursor.objects.get(url=listening.url).cursor or 0) > 0


def test_a_frame_that_cannot_be_read_is_skipped() -> None:
    import libipld

    header = libipld.encode_dag_cbor({"op": 1, "t": "#commit"})
    body = libipld.encode_dag_cbor({"seq": 7, "repo": "did:plc:x", "ops": [], "blocks": b""})
    assert decode(header + body) is not None
    assert decode((header + body)[:-3]) is None  # truncated
    assert decode(b"\xff\x00garbage") is None
    bad_utf8 = header + body.replace(b"did:plc:x", b"did:plc:\xff")
    assert decode(bad_utf8) is None
    not_a_post = libipld.encode_dag_cbor(
        {"seq": 8, "repo": "did:plc:x", "ops": [{"action": "create", "path": "app.bsky.feed.like/1", "cid": None}], "blocks": b""}
    )
    assert decode(header + not_a_post) == Event(8)


# Processes killed and started one after the other, never two readers at once: what it proves
# (the cursor and the batch committed together, a dead reader's lease taken over) does not
# differ between the databases. The SQLite pass only.
@pytest.mark.one_database
def test_a_killed_reader_restarts_without_losing_or_doubling_a_post(pds: Pds, own_database: str, tmp_path: Path) -> None:
    word = f"kill{secrets.token_hex(3)}"
    env = {
        **os.environ,
        "DATABASE_URL": own_database,
        "STRATA_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "strata.settings",
        "STRATA_BLUESKY_STREAM": pds.url,
    }

    def strata(*args: str) -> str:
        run = subprocess.run([sys.executable, "-m", "strata.cli", *args], env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        return run.stdout

    def python(code: str) -> Any:
        prelude = "import django, json; django.setup()\nfrom strata.engagement.models import HeardItem, StreamCursor\n"
        run = subprocess.run([sys.executable, "-c", prelude + code], env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout)

    strata("migrate", "--verbosity", "0")
    (tmp_path / "plan.yaml").write_bytes(plan_with({"kill": word}))
    strata("plan", "import", str(tmp_path / "plan.yaml"), "--workspace", "acme")
    # Start at the PDS's present, as a new installation does, then post while the reader is killed.
    python(f"StreamCursor.objects.create(platform='bluesky', url={pds.url!r}, cursor=None); print(1)")

    client = poster(pds, pds.create_account(f"k{secrets.token_hex(4)}"))
    posted: list[str] = []

    def post_slowly() -> None:
        for i in range(POSTS):
            posted.append(client.send_post(f"{word} number {i}").uri)
            time.sleep(0.1)

    posting = threading.Thread(target=post_slowly)

    readers: list[subprocess.Popen[bytes]] = []

    def reader() -> subprocess.Popen[bytes]:
        readers.append(
            subprocess.Popen(
                [sys.executable, "-m", "strata.cli", "ingest", "--stream"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        )
        return readers[-1]

    try:
        current = reader()
        # The looks below read the database directly: a Strata process per look takes seconds.
        wait_for(
            lambda: query(own_database, "SELECT leased_by FROM engagement_streamcursor") != [("",)],
            "the reader to take the stream",
            timeout=60,
        )
        # Once its first batch is stored, the reader has a cursor: from then on nothing can be missed.
        client.send_post("warming up")
        wait_for(lambda: query(own_database, "SELECT cursor FROM engagement_streamcursor") != [(None,)], "the first batch", timeout=60)
        posting.start()
        kills_while_posting = 0
        while posting.is_alive():
            time.sleep(1.2)
            current.send_signal(signal.SIGKILL)
            current.wait()
            kills_while_posting += 1
            current = reader()
        posting.join()
        client.send_post("not for anyone")
        wait_for(
            lambda: query(own_database, f"SELECT COUNT(*) FROM engagement_hearditem WHERE text LIKE '{word}%'")[0][0] >= POSTS,  # type: ignore[operator]
            "every post to arrive",
            timeout=90,
        )
    finally:
        for process in readers:
            if process.poll() is None:
                process.kill()
                process.wait()

    stored = python("print(json.dumps(list(HeardItem.objects.values_list('remote_id', 'matched_queries'))))")
    assert kills_while_posting >= 3
    assert sorted(uri for uri, _ in stored) == sorted(posted)
    assert {tuple(q) for _, q in stored} == {("kill",)}


@pytest.mark.one_database  # no database at all: the egress rule and the websocket
def test_the_stream_on_a_private_address_is_refused_unless_allowed(pds: Pds, settings: Any) -> None:
    settings.STRATA_ALLOW_PRIVATE_HOSTS = AllowList.parse("")
    with pytest.raises(EgressRefused), BlueskyStream(pds.url).open(None):
        pass
    settings.STRATA_ALLOW_PRIVATE_HOSTS = AllowList.parse("127.0.0.0/8,localhost")
    with BlueskyStream(pds.url).open(0) as websocket:
        assert next(e for e in BlueskyStream(pds.url).events(websocket, idle=5.0) if e is not None).seq > 0
