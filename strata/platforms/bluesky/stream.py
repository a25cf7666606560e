"""Reading the Bluesky event stream: `com.atproto.sync.subscribeRepos` of a PDS or a relay.

The stream sends one binary websocket frame per event: a DAG-CBOR header (`{op, t}`) and body.
A `#commit` body names the repository (the author's DID), its operations (`create`, `update`,
`delete` of `collection/rkey`) and the records written, as a CAR file of blocks. Every event has
a sequence number (`seq`); a subscriber that passes the last one it handled as `cursor` gets
everything after it, so a restart resumes where the stored cursor says.

This module turns frames into `Event`s and knows nothing of workspaces or queries. Whatever
the stream sends is hostile: a frame that cannot be decoded (truncated, not CBOR, text that is
not UTF-8), a record that is not a post, is logged and skipped (`Event.skipped`), never raised.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import libipld
from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect

from strata.platforms import egress
from strata.platforms.base import PermanentError, TransientError
from strata.platforms.reading import Incoming

log = logging.getLogger(__name__)

METHOD = "/xrpc/com.atproto.sync.subscribeRepos"
POST = "app.bsky.feed.post"
MAX_FRAME = 5 * 1024 * 1024  # a commit carries at most a few records; anything bigger is refused by the client
OPEN_TIMEOUT = 10.0


@dataclass(frozen=True)
class Event:
    seq: int
    posts: tuple[Incoming, ...] = ()  # posts created or edited in this event
    deleted: tuple[str, ...] = ()  # at:// URIs of posts deleted in this event
    skipped: tuple[str, ...] = field(default=(), compare=False)  # why parts of it were left out


class StreamRefused(PermanentError):
    """The stream answered with an error frame that connecting again will not cure."""


class FutureCursor(TransientError):
    """The stored cursor lies beyond the stream's newest event: the stream was reset."""


def subscribe_url(base: str, cursor: int | None) -> str:
    """The websocket URL of subscribeRepos on `base` (http(s)://, ws(s)://, with or without the
    method's path), from `cursor` when there is one."""
    parts = urlsplit(base)
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None or not parts.hostname:
        raise ValueError("the stream's address must start with wss://, ws://, https:// or http://")
    path = parts.path.rstrip("/")
    if not path.endswith(METHOD):
        path += METHOD
    query = urlencode({"cursor": cursor}) if cursor is not None else ""
    return urlunsplit((scheme, parts.netloc, path, query, ""))


class BlueskyStream:
    """One connection to the stream: `events()` yields each event, or None when nothing came
    for `idle` seconds (so that the caller can commit a batch on time)."""

    def __init__(self, base: str) -> None:
        self.base = base

    @contextlib.contextmanager
    def open(self, cursor: int | None) -> Iterator[ClientConnection]:
        url = subscribe_url(self.base, cursor)
        with contextlib.ExitStack() as stack:
            # The name is resolved inside the guard (redirects too): a stream on a private address
            # is refused unless STRATA_ALLOW_PRIVATE_HOSTS allows it. No proxy: the guard checks
            # the address actually reached.
            try:
                with egress.guard():
                    opener = connect(url, max_size=MAX_FRAME, open_timeout=OPEN_TIMEOUT, proxy=None, compression=None, legacy=False)
                    websocket = stack.enter_context(opener)
            except egress.EgressRefused:
                raise
            except (OSError, TimeoutError, WebSocketException) as exc:
                raise TransientError(f"cannot reach the event stream: {type(exc).__name__}: {exc}") from None
            yield websocket

    def events(self, connection: ClientConnection, *, idle: float) -> Iterator[Event | None]:
        while True:
            try:
                data = connection.recv(timeout=idle)
            except TimeoutError:
                yield None
                continue
            except (OSError, WebSocketException) as exc:
                raise TransientError(f"the event stream closed: {type(exc).__name__}: {exc}") from None
            if isinstance(data, str):
                log.warning("event stream: a text frame where binary frames are expected; skipped")
                continue
            event = decode(data)
            if event is not None:
                yield event


def decode(data: bytes) -> Event | None:
    """The event in one frame, or None for a frame that cannot be read (logged). An error frame
    raises: FutureCursor, or StreamRefused for what connecting again cannot cure."""
    try:
        parts = libipld.decode_dag_cbor_multi(data)
    except (ValueError, RecursionError, OverflowError) as exc:
        log.warning("event stream: a frame that cannot be decoded (%s); skipped", _short(exc))
        return None
    if len(parts) != 2 or not isinstance(parts[0], dict) or not isinstance(parts[1], dict):
        log.warning("event stream: a frame without a header and a body; skipped")
        return None
    header, body = parts
    if header.get("op") == -1:
        error, message = str(body.get("error", "")), str(body.get("message", ""))[:200]
        if error == "FutureCursor":
            raise FutureCursor(f"the stream is behind the stored cursor: {message}")
        if error in ("ConsumerTooSlow", ""):
            raise TransientError(f"the stream dropped the connection: {error} {message}".strip())
        raise StreamRefused(f"the stream refused: {error} {message}".strip())
    seq = body.get("seq")
    if header.get("op") != 1 or not isinstance(seq, int) or isinstance(seq, bool):
        log.warning("event stream: a frame without a sequence number; skipped")
        return None
    if header.get("t") != "#commit":
        return Event(seq)  # identity, account, sync, info: nothing to hear, but the cursor moves on
    return _commit(seq, body)


def _commit(seq: int, body: dict[str, Any]) -> Event:
    repo, ops = body.get("repo"), body.get("ops")
    if not isinstance(repo, str) or not repo.startswith("did:") or not isinstance(ops, list):
        return _skipped(seq, "a commit without its repository or operations")
    wanted = [op for op in ops if isinstance(op, dict) and str(op.get("path", "")).startswith(POST + "/")]
    if not wanted:
        return Event(seq)
    blocks: dict[bytes, Any] = {}
    if any(op.get("action") != "delete" for op in wanted):
        try:
            _, blocks = libipld.decode_car(body.get("blocks") or b"")
        except (ValueError, TypeError, RecursionError, OverflowError) as exc:
            return _skipped(seq, f"a commit whose records cannot be read ({_short(exc)})")
    posts: list[Incoming] = []
    deleted: list[str] = []
    skipped: list[str] = []
    when = _when(body.get("time"))
    for op in wanted:
        uri = f"at://{repo}/{op['path']}"
        action = op.get("action")
        if action == "delete":
            deleted.append(uri)
            continue
        if action not in ("create", "update"):
            skipped.append(f"{uri}: an unknown action")
            continue
        cid = op.get("cid")
        record = blocks.get(cid) if isinstance(cid, bytes) else None
        if not isinstance(record, dict) or record.get("$type") != POST or not isinstance(record.get("text"), str):
            skipped.append(f"{uri}: not a post")
            continue
        posts.append(_post(uri, repo, record, when))
    for reason in skipped:
        log.warning("event stream: seq %s: %s; skipped", seq, reason)
    return Event(seq, tuple(posts), tuple(deleted), tuple(skipped))


def _post(uri: str, repo: str, record: dict[str, Any], when: dt.datetime) -> Incoming:
    reply: dict[str, Any] = record["reply"] if isinstance(record.get("reply"), dict) else {}
    langs: list[Any] = record["langs"] if isinstance(record.get("langs"), list) else []
    return Incoming(
        remote_id=uri,
        kind="post",
        author_id=repo,
        author_handle=repo,  # the stream names accounts by DID only; the handle is not looked up
        author_name="",
        text=record["text"],
        url=f"https://bsky.app/profile/{repo}/post/{uri.rsplit('/', 1)[-1]}",
        created_at=_when(record.get("createdAt"), when),
        parent_id=_uri(reply.get("parent")),
        root_id=_uri(reply.get("root")),
        language=",".join(str(lang) for lang in langs if isinstance(lang, str))[:20],
    )


def _uri(ref: Any) -> str:
    return str(ref.get("uri") or "") if isinstance(ref, dict) else ""


def _when(value: Any, default: dt.datetime | None = None) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return default or dt.datetime.now(dt.UTC)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _skipped(seq: int, reason: str) -> Event:
    log.warning("event stream: seq %s: %s; skipped", seq, reason)
    return Event(seq, skipped=(reason,))


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:120]}"
