"""A real Bluesky network on 127.0.0.1: PLC directory, PDS and the Bluesky AppView (npm
@atproto/dev-env, pinned in tests/servers/bluesky), the AppView on PostgreSQL in schemas of its
own that are dropped at stop.

Accounts act through the PDS the way a client does (the `atproto` SDK's `Client` on the PDS's
URL; `app.bsky.*` reads are proxied by the PDS to the AppView). The AppView indexes the PDS's
event stream asynchronously: `wait_until` polls with a deadline."""

from __future__ import annotations

import collections
import functools
import json
import os
import secrets
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from atproto import CAR, Client, FirehoseSubscribeReposClient, Session, models, parse_subscribe_repos_message

from tests.servers.pds import HERE, BlueskyAccount

T = TypeVar("T")

POSTGRES_URL = os.environ.get("STRATA_TEST_BSKY_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
SCHEMA_PREFIX = "strata_bsky_"
STALE_AFTER = 6 * 3600  # schemas left by a run that was killed are dropped by a later run
START_TIMEOUT = 120


def _letters(number: int, width: int) -> str:
    """dev-env accepts only [A-Za-z_] in a schema name: a number written in the letters a-z."""
    out = ""
    for _ in range(width):
        number, digit = divmod(number, 26)
        out = chr(ord("a") + digit) + out
    return out


def _number(letters: str) -> int:
    value = 0
    for char in letters:
        value = value * 26 + ord(char) - ord("a")
    return value


def new_schema() -> str:
    """A name no other run uses: the start time (to find stale ones) and 40 random bits."""
    return f"{SCHEMA_PREFIX}{_letters(int(time.time()), 7)}_{_letters(secrets.randbits(40), 9)}"


# How long to wait for the AppView to index what the PDS wrote: seconds when the machine is
# idle, far longer when every core is busy (CI runs several servers beside the tests).
WAIT = 90.0
NUDGE = 5.0  # seconds of waiting before the AppView is asked to catch up


@dataclass(frozen=True)
class Ref:
    """A record on the network: its at:// URI and CID (a strong reference)."""

    uri: str
    cid: str

    def strong(self) -> models.ComAtprotoRepoStrongRef.Main:
        return models.ComAtprotoRepoStrongRef.Main(uri=self.uri, cid=self.cid)


@dataclass(frozen=True)
class RepoEvent:
    """One operation of a commit on the PDS's com.atproto.sync.subscribeRepos stream."""

    seq: int
    repo: str
    action: str
    path: str
    cid: str | None
    record: dict[str, Any] | None

    @property
    def uri(self) -> str:
        return f"at://{self.repo}/{self.path}"


@dataclass
class BlueskyNetwork:
    postgres_url: str = POSTGRES_URL
    schema: str = field(default_factory=new_schema)
    process: subprocess.Popen[str] | None = None
    pds_url: str = ""
    appview_url: str = ""
    plc_url: str = ""
    appview_did: str = ""
    startup_seconds: float = 0.0
    output: collections.deque[str] = field(default_factory=lambda: collections.deque(maxlen=200))
    _clients: dict[str, Client] = field(default_factory=dict)
    _sessions: dict[str, str] = field(default_factory=dict)

    # -- running it -------------------------------------------------------------------------

    @staticmethod
    def available(postgres_url: str = POSTGRES_URL) -> str | None:
        """Why the network cannot run here, or None."""
        if shutil.which("node") is None:
            return "node is not installed"
        if not (HERE / "node_modules" / "@atproto" / "dev-env").exists():
            return "run `npm ci` in tests/servers/bluesky (./dev test does)"
        where = urlsplit(postgres_url)
        try:
            socket.create_connection((where.hostname or "127.0.0.1", where.port or 5432), timeout=2).close()
        except OSError:
            return f"PostgreSQL is not reachable at {where.hostname}:{where.port or 5432} (set STRATA_TEST_BSKY_POSTGRES)"
        return None

    @property
    def schemas(self) -> list[str]:
        """The schemas this run's AppView and its moderation service (Ozone) create."""
        return [f"appview_{self.schema}", f"ozone_{self.schema}"]

    def start(self) -> BlueskyNetwork:
        began = time.monotonic()
        self._drop_stale_schemas()
        self.process = subprocess.Popen(
            ["node", "-r", "./loopback.cjs", "network.js", self.postgres_url, self.schema],
            cwd=HERE,
            stdin=subprocess.PIPE,  # the network stops when this process dies and the pipe closes
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # REDIS_HOST is required by dev-env but never connected to.
            env={**os.environ, "LOG_ENABLED": "false", "REDIS_HOST": os.environ.get("REDIS_HOST", "127.0.0.1:6379")},
        )
        stdout = self.process.stdout
        assert stdout is not None
        ready: dict[str, Any] = {}

        def read() -> None:  # keeps reading after start so that the pipe never fills up
            for line in stdout:
                if not ready and line.startswith("{") and '"ready"' in line:
                    ready.update(json.loads(line))
                else:
                    self.output.append(line.rstrip())

        threading.Thread(target=read, name="bluesky-network-output", daemon=True).start()
        deadline = began + START_TIMEOUT
        while not ready:
            if self.process.poll() is not None:
                self._drop_schemas()
                raise RuntimeError(f"the Bluesky network stopped while starting (exit {self.process.returncode}):\n{self.log()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the Bluesky network did not start within {START_TIMEOUT} s:\n{self.log()}")
            time.sleep(0.05)
        self.pds_url, self.appview_url, self.plc_url = ready["pds"], ready["appview"], ready["plc"]
        self.appview_did = ready["appviewDid"]
        self.startup_seconds = time.monotonic() - began
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
            self.process = None
        self._drop_schemas()

    def log(self) -> str:
        return "\n".join(list(self.output)[-40:])

    def _sql(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.postgres_url, autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(statement, params or None)
            return cursor.fetchall() if cursor.description else []

    def _drop_schemas(self, names: list[str] | None = None) -> None:
        for name in names if names is not None else self.schemas:
            self._sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')

    def _drop_stale_schemas(self) -> None:
        rows = self._sql(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'appview\\_strata\\_bsky\\_%' OR nspname LIKE 'ozone\\_strata\\_bsky\\_%'"
        )
        now = time.time()
        stale = []
        for (name,) in rows:
            stamp = name.split(SCHEMA_PREFIX, 1)[1].split("_")[0]
            if stamp.isalpha() and stamp.islower() and now - _number(stamp) > STALE_AFTER:
                stale.append(name)
        self._drop_schemas(stale)

    # -- accounts and what they do ------------------------------------------------------------

    def create_account(self, name: str | None = None) -> BlueskyAccount:
        """A new account with the handle `<name>.test`; the network lives for the whole session, so a
        name can be taken only once (without a name, a unique one is made up)."""
        name = name or f"user{secrets.token_hex(4)}"
        handle, password = f"{name}.test", f"{name}-password-123"
        made = httpx.post(
            f"{self.pds_url}/xrpc/com.atproto.server.createAccount",
            json={"handle": handle, "email": f"{name}@example.test", "password": password},
            timeout=30,
        )
        made.raise_for_status()
        session = made.json()
        app = httpx.post(
            f"{self.pds_url}/xrpc/com.atproto.server.createAppPassword",
            json={"name": "strata"},
            headers={"authorization": f"Bearer {session['accessJwt']}"},
            timeout=30,
        )
        app.raise_for_status()
        # The session createAccount opened saves a login (a password hash on the PDS) per account.
        self._sessions[session["did"]] = Session(handle, session["did"], session["accessJwt"], session["refreshJwt"], self.pds_url).encode()
        return BlueskyAccount(handle=handle, did=session["did"], password=password, app_password=app.json()["password"])

    def client(self, account: BlueskyAccount) -> Client:
        """The `atproto` SDK's client for the account, logged in on the PDS (cached per account)."""
        if account.did not in self._clients:
            client = Client(base_url=self.pds_url)
            # The profile may not be indexed yet right after the account was made.
            if account.did in self._sessions:
                client.login(session_string=self._sessions[account.did], fetch_bsky_profile=False)
            else:
                client.login(account.handle, account.password, fetch_bsky_profile=False)
            self._clients[account.did] = client
        return self._clients[account.did]

    def post(self, account: BlueskyAccount, text: str, *, embed: Any = None, reply_to: Any = None) -> Ref:
        """A post; mentions (`@handle.test`), links and tags in the text get their facets, as in a client."""
        client = self.client(account)
        made = client.send_post(
            text, profile_identify=account.did, facets=client.detect_facets(text) or None, embed=embed, reply_to=reply_to
        )
        return Ref(made.uri, made.cid)

    def reply(self, account: BlueskyAccount, parent: Ref, text: str) -> Ref:
        """A reply to `parent`, with the root of its thread as the record requires.

        It waits until the AppView has indexed the parent, as a person replies only to what they
        have seen: the AppView indexes each repository on its own, and a reply indexed before its
        parent notifies nobody (the parent's author is looked up from the indexed parent)."""
        self.wait_indexed(parent)
        record = self.record(parent.uri)
        root = record["value"].get("reply", {}).get("root") or {"uri": parent.uri, "cid": parent.cid}
        reply_to = models.AppBskyFeedPost.ReplyRef(
            parent=parent.strong(), root=models.ComAtprotoRepoStrongRef.Main(uri=root["uri"], cid=root["cid"])
        )
        return self.post(account, text, reply_to=reply_to)

    def quote(self, account: BlueskyAccount, target: Ref, text: str) -> Ref:
        return self.post(account, text, embed=models.AppBskyEmbedRecord.Main(record=target.strong()))

    def like(self, account: BlueskyAccount, target: Ref) -> Ref:
        client = self.client(account)
        record = models.AppBskyFeedLike.Record(subject=target.strong(), created_at=client.get_current_time_iso())
        made = client.app.bsky.feed.like.create(account.did, record)
        return Ref(made.uri, made.cid)

    def repost(self, account: BlueskyAccount, target: Ref) -> Ref:
        client = self.client(account)
        record = models.AppBskyFeedRepost.Record(subject=target.strong(), created_at=client.get_current_time_iso())
        made = client.app.bsky.feed.repost.create(account.did, record)
        return Ref(made.uri, made.cid)

    def follow(self, account: BlueskyAccount, subject: BlueskyAccount) -> Ref:
        client = self.client(account)
        record = models.AppBskyGraphFollow.Record(subject=subject.did, created_at=client.get_current_time_iso())
        made = client.app.bsky.graph.follow.create(account.did, record)
        return Ref(made.uri, made.cid)

    def record(self, uri: str) -> dict[str, Any]:
        """A record as its PDS stores it (com.atproto.repo.getRecord; no AppView involved)."""
        _, _, repo, collection, rkey = uri.split("/", 4)
        got = httpx.get(
            f"{self.pds_url}/xrpc/com.atproto.repo.getRecord",
            params={"repo": repo, "collection": collection, "rkey": rkey},
            timeout=30,
        )
        got.raise_for_status()
        result: dict[str, Any] = got.json()
        return result

    # -- reading what the AppView indexed ---------------------------------------------------

    def notifications(self, account: BlueskyAccount, cursor: str | None = None, limit: int = 100) -> Any:
        """app.bsky.notification.listNotifications as the account, through the PDS."""
        params = models.AppBskyNotificationListNotifications.Params(cursor=cursor, limit=limit)
        return self.client(account).app.bsky.notification.list_notifications(params)

    def indexed(self, uri: str) -> bool:
        """Whether the AppView has indexed the post (app.bsky.feed.getPosts on the AppView itself)."""
        got = httpx.get(f"{self.appview_url}/xrpc/app.bsky.feed.getPosts", params={"uris": [uri]}, timeout=30)
        got.raise_for_status()
        return bool(got.json()["posts"])

    def wait_until(self, probe: Callable[[], T | None], *, timeout: float = WAIT, what: str = "the AppView to index it") -> T:
        """Poll `probe` until it returns something truthy; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        delay, nudged = 0.02, time.monotonic()
        while True:
            value = probe()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout:.0f} s for {what}; the network's last words:\n{self.log()}")
            if time.monotonic() - nudged > NUDGE:
                self.catch_up()
                nudged = time.monotonic()
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)

    def catch_up(self) -> None:
        """Ask the AppView to process everything the PDS has sequenced (network.js, "process"):
        its subscription usually keeps up alone, but on a busy machine it has been seen to fall
        behind for longer than any wait."""
        if self.process is not None and self.process.stdin is not None:
            try:
                self.process.stdin.write("process\n")
                self.process.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass

    def wait_indexed(self, *refs: Ref, timeout: float = WAIT) -> None:
        for ref in refs:
            self.wait_until(functools.partial(self.indexed, ref.uri), timeout=timeout, what=f"the AppView to index {ref.uri}")

    def wait_notification(self, account: BlueskyAccount, uri: str, *, timeout: float = WAIT) -> Any:
        """The account's notification about the record `uri`, once the AppView lists it."""

        def find() -> Any:
            return next((n for n in self.notifications(account).notifications if n.uri == uri), None)

        return self.wait_until(find, timeout=timeout, what=f"a notification about {uri}")

    # -- the PDS's event stream -------------------------------------------------------------

    def firehose(self, cursor: int | None, *, until: Callable[[RepoEvent], bool], timeout: float = WAIT) -> list[RepoEvent]:
        """Read com.atproto.sync.subscribeRepos from the PDS, from `cursor` (events after that seq;
        0 replays everything, None only what comes next), until an event satisfies `until`."""
        events: list[RepoEvent] = []
        found = threading.Event()
        params = models.ComAtprotoSyncSubscribeRepos.Params(cursor=cursor) if cursor is not None else None
        stream = FirehoseSubscribeReposClient(params, base_uri=self.pds_url.replace("http", "ws", 1) + "/xrpc")
        failures: list[BaseException] = []
        matched: list[RepoEvent] = []

        def fail(error: BaseException) -> None:
            failures.append(error)
            found.set()

        def on_message(message: Any) -> None:
            commit = parse_subscribe_repos_message(message)
            if not isinstance(commit, models.ComAtprotoSyncSubscribeRepos.Commit):
                return
            blocks = CAR.from_bytes(commit.blocks).blocks if commit.blocks else {}
            for op in commit.ops:
                record = blocks.get(op.cid) if op.cid else None
                event = RepoEvent(commit.seq, commit.repo, op.action, op.path, str(op.cid) if op.cid else None, record)
                events.append(event)
                if not matched and until(event):
                    matched.append(event)
                    found.set()
                    stream.stop()

        def run() -> None:
            try:
                stream.start(on_message, fail)
            except BaseException as error:  # reported to the caller below
                fail(error)

        reader = threading.Thread(target=run, name="bluesky-firehose", daemon=True)
        reader.start()
        found.wait(timeout)
        stream.stop()
        reader.join(5)
        if failures:
            raise failures[0]
        if not matched:
            raise TimeoutError(f"the event stream did not deliver the awaited event within {timeout:.0f} s ({len(events)} events read)")
        return events
