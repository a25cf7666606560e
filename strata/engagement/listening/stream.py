"""Listening on the Bluesky event stream (STRATA_BLUESKY_STREAM), once for the whole installation.

Steps of `listen()`, run by `strata ingest` in a thread of its own:
1. take the stream's lease (its StreamCursor row), so that however many ingest processes run,
   one reads the stream; a reader that died on this machine is replaced at once, one elsewhere
   after LEASE;
2. connect from the stored cursor (the seq of the last event whose posts are stored);
3. gather events until BATCH of them or FLUSH seconds: match each new post against every
   workspace's queries at once (queries.installation_matcher), note every deleted post;
4. in one transaction, with the cursor row locked: check that the lease is still ours, store
   each matched post in every workspace whose query matched (one row per workspace and post,
   unique, so a replay stores nothing twice), apply the deletions, write the new cursor; a crash
   anywhere before the commit means the same events again from the old cursor, never a gap;
5. after a batch with posts is stored, label them and name their authors (_after_store);
6. on an error, close the connection and connect again after a back-off (doubling to
   MAX_BACKOFF); a frame or record that cannot be read, or a seq that goes backwards, is logged
   and skipped without dropping the connection.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction
from django.db.models import Q
from django.utils.timezone import now

from strata.engagement import ingest, labels
from strata.engagement.listening import handles, queries
from strata.engagement.listening.matcher import Matcher
from strata.engagement.models import HeardItem, Source, StreamCursor
from strata.platforms.base import PermanentError, TransientError
from strata.platforms.bluesky.stream import BlueskyStream, Event, FutureCursor
from strata.platforms.reading import Incoming

log = logging.getLogger(__name__)

PLATFORM = "bluesky"
BATCH = 500  # events per transaction, at most
FLUSH = 1.0  # seconds an event may wait for its batch to be stored
LEASE = dt.timedelta(seconds=30)
BACKOFF = 1.0
MAX_BACKOFF = 60.0


class LostLease(Exception):
    """Another process reads the stream now (this one was too slow to renew its lease)."""


@dataclass
class Batch:
    last_seq: int | None = None
    events: int = 0
    posts: dict[str, tuple[Incoming, dict[int, list[str]]]] = field(default_factory=dict)  # by URI
    deleted: set[str] = field(default_factory=set)
    started: float = field(default_factory=time.monotonic)

    def add(self, event: Event, matcher: Matcher) -> None:
        self.events += 1
        self.last_seq = event.seq
        for uri in event.deleted:
            self.posts.pop(uri, None)
            self.deleted.add(uri)
        for post in event.posts:
            text = ingest._clean(post.text)[: ingest.MAX_TEXT]
            matched = queries.by_workspace(matcher.match(text, [t for t in post.language.split(",") if t] or None))
            if matched:
                self.deleted.discard(post.remote_id)
                self.posts[post.remote_id] = (post, matched)

    def due(self) -> bool:
        return self.events >= BATCH or (self.events > 0 and time.monotonic() - self.started >= FLUSH)


def stream_url() -> str:
    return str(getattr(settings, "STRATA_BLUESKY_STREAM", "") or "")


def listen(*, stop: threading.Event, worker: str, url: str | None = None) -> None:
    """Read the stream until `stop` is set; errors are logged and the stream read again."""
    url = url or stream_url()
    if not url:
        return
    backoff = BACKOFF
    try:
        while not stop.is_set():
            try:
                if not _claim(url, worker):
                    stop.wait(LEASE.total_seconds() / 3)  # someone else reads it; take over if they stop
                    continue
                if _read(url, worker, stop):
                    backoff = BACKOFF
            except FutureCursor as exc:
                log.warning("event stream %s: %s; reading on from its present", url, exc)
                StreamCursor.objects.filter(platform=PLATFORM, url=url, leased_by=worker).update(cursor=None)
                continue
            except (TransientError, LostLease) as exc:
                log.warning("event stream %s: %s; again in %.0f s", url, exc, backoff)
            except PermanentError as exc:
                log.error("event stream %s: %s; again in %.0f s", url, exc, MAX_BACKOFF)
                backoff = MAX_BACKOFF
            except Exception as exc:
                log.exception("event stream %s stopped short; again in %.0f s", url, backoff)
                if isinstance(exc, DatabaseError):
                    connection.close()
            stop.wait(backoff)
            backoff = min(MAX_BACKOFF, backoff * 2)
    finally:
        _release(url, worker)
        connection.close()


def _read(url: str, worker: str, stop: threading.Event) -> bool:
    """One connection, until it drops or `stop`; True when at least one batch was stored."""
    row = StreamCursor.objects.get(platform=PLATFORM, url=url)
    stream = BlueskyStream(url)
    with stream.open(row.cursor) as websocket:
        log.info("event stream %s: reading from %s", url, "its present" if row.cursor is None else f"seq {row.cursor}")
        last = row.cursor
        stored = False
        batch = Batch()
        renewed = time.monotonic()
        matcher = queries.installation_matcher()
        for event in stream.events(websocket, idle=min(FLUSH, 0.5)):
            if stop.is_set():
                break
            if event is not None:
                if last is not None and event.seq <= last:
                    log.warning("event stream %s: seq %s after %s goes backwards; skipped", url, event.seq, last)
                    continue
                last = event.seq
                if batch.events == 0:
                    matcher = queries.installation_matcher()  # a plan saved since counts from the next batch
                batch.add(event, matcher)
            if batch.due():
                _commit(row.pk, worker, batch)
                if batch.posts:
                    _after_store(len(batch.posts))
                stored, batch, renewed = True, Batch(), time.monotonic()
            elif time.monotonic() - renewed > LEASE.total_seconds() / 3:
                _commit(row.pk, worker, Batch())  # nothing came: keep the lease
                renewed = time.monotonic()
        if batch.events:
            _commit(row.pk, worker, batch)
            if batch.posts:
                _after_store(len(batch.posts))
            stored = True
    return stored


def _after_store(posts: int) -> None:
    """Label what was just stored (the listening model: quick) and name its authors (the stream
    gives DIDs only). Neither may stop the stream: what fails here is done by a later batch or by
    `strata ingest`'s sweep."""
    try:
        labels.label_unlabelled(limit=posts * 4)
        handles.name_authors(limit=posts)
    except Exception:
        log.exception("event stream: labelling or naming the stored posts failed; a later pass does it")


def _commit(pk: int, worker: str, batch: Batch) -> None:
    with transaction.atomic():
        row = StreamCursor.objects.select_for_update().get(pk=pk)
        if row.leased_by != worker:
            raise LostLease(f"the stream is read by {row.leased_by or 'no one'} now")
        if batch.last_seq is not None and row.cursor is not None and batch.last_seq <= row.cursor:
            return  # stored already (by a reader whose lease this one took over)
        _store(batch)
        if batch.last_seq is not None:
            row.cursor = batch.last_seq
        row.leased_until = now() + LEASE
        row.updated_at = now()
        row.save(update_fields=["cursor", "leased_until", "updated_at"])


def _store(batch: Batch) -> None:
    rows: list[HeardItem] = []
    for post, matched in batch.posts.values():
        for workspace_id, query_ids in matched.items():
            row = ingest._row(Source(workspace_id=workspace_id, platform=PLATFORM), post, context=False)
            row.source = None
            row.set_matched(query_ids)
            rows.append(row)
    if rows:
        # A post the brand's notifications brought first keeps its kind; its text and matches are renewed.
        HeardItem.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["workspace", "platform", "remote_id"],
            update_fields=["text", "truncated", "matched_queries", "matched_key"],
            batch_size=500,
        )
    if batch.deleted:
        deleted = HeardItem.objects.filter(platform=PLATFORM, remote_id__in=batch.deleted, deleted_at__isnull=True)
        deleted.update(deleted_at=now(), text="", truncated=False)


def _claim(url: str, worker: str) -> bool:
    """Take the stream's lease: free, expired, ours, or held by a process of this machine that
    no longer runs (a reader killed mid-stream is replaced at once on restart)."""
    close_old_connections()
    try:
        row, _ = StreamCursor.objects.get_or_create(platform=PLATFORM, url=url)
    except IntegrityError:
        row = StreamCursor.objects.get(platform=PLATFORM, url=url)
    current = now()
    free = Q(leased_until__isnull=True) | Q(leased_until__lt=current) | Q(leased_by=worker) | Q(leased_by="")
    if row.leased_by and _dead_here(row.leased_by):
        free |= Q(leased_by=row.leased_by)
    return bool(StreamCursor.objects.filter(pk=row.pk).filter(free).update(leased_by=worker, leased_until=current + LEASE))


def _release(url: str, worker: str) -> None:
    try:
        StreamCursor.objects.filter(platform=PLATFORM, url=url, leased_by=worker).update(leased_by="", leased_until=None)
    except DatabaseError:
        log.warning("event stream %s: the lease could not be released; it lapses after %s", url, LEASE)


def _dead_here(holder: str) -> bool:
    host, _, pid = holder.partition(":")
    if host != socket.gethostname() or not (pid.isascii() and pid.isdigit()):
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
