"""Ingest: read every connected account's notifications into HeardItems, threaded and labelled.

A read, for one source (`read_source`):
1. claim the source for LEASE seconds with one conditional UPDATE (due, active, not held), so
   that any number of ingest processes never read one source at once;
2. ask the platform's reader for what came since the source's cursor, and for the posts above
   each reply that Strata has not stored, so that a reply to a reply keeps its whole chain;
3. in one transaction, store the items (the platform's id is unique per workspace: an item read
   twice is stored once, and a changed text replaces the old) and the new cursor, and release the
   claim: a crash before the commit only means the same read again, never a lost or doubled item;
4. label what is new with the inbox model (a crash between 3 and 4 leaves items unlabelled, which
   the next round's sweep labels);
5. on an error, keep the cursor and back off: doubling from BACKOFF to MAX_BACKOFF seconds, or
   as long as the platform asked (429); credentials it refuses stop the source until a person
   connects the channel again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils.timezone import now

from strata.engagement import labels
from strata.engagement.ambassadors import refresh as ambassadors
from strata.engagement.inbox import alerts, filing
from strata.engagement.listening import handles, queries, sources
from strata.engagement.models import HeardItem, Source
from strata.platforms.base import PermanentError, RateLimited, TransientError
from strata.platforms.reading import Incoming
from strata.platforms.registry import reader_for
from strata.publishing.delivery import worker_name
from strata.publishing.models import ChannelAccount, Variant

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=120)
INTERVAL = dt.timedelta(seconds=2)  # between reads of a source that had nothing more waiting: within the 5 s people expect
BACKOFF = 5.0
MAX_BACKOFF = 600.0
MAX_TEXT = 10_000  # a longer text is stored cut, with `truncated` set: one huge post never stops ingest
MAX_CONTEXT = 20  # threads fetched per read; the rest come with the next read


def sync_sources() -> int:
    """A notifications source for every connected account whose platform can be read."""
    made = 0
    for workspace_id, channel_id, platform in ChannelAccount.objects.values_list("workspace_id", "channel_id", "platform"):
        if reader_for(platform) is None:
            continue
        _, created = Source.objects.get_or_create(
            workspace_id=workspace_id, channel_id=channel_id, kind=Source.Kind.NOTIFICATIONS, defaults={"platform": platform}
        )
        made += created
    return made


def due_sources() -> list[int]:
    current = now()
    return list(
        Source.objects.filter(state=Source.State.ACTIVE, next_read_at__lte=current)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=current))
        .order_by("next_read_at")
        .values_list("pk", flat=True)[:100]
    )


def run_once(*, worker: str | None = None) -> int:
    """Read every due source once; the number of items stored."""
    worker = worker or worker_name()
    sync_sources()
    sources.sync()  # listening on the accounts' timelines
    stored = sum(read_source(source_id, worker=worker) for source_id in due_sources())
    labels.label_unlabelled()
    filing.file_unfiled()  # into the inbox, once labelled: the response plan routes on the labels
    filing.failed_answers()  # an answer that could not be sent answered nobody
    filing.follow_ups_due()  # conversations taken offline, back on their follow-up day
    alerts.sweep()  # answers due soon, late or to escalate
    handles.name_authors()  # what the event stream heard, by DID, when the stream could not do it
    ambassadors.sweep()  # scores of who engages most, at most hourly per workspace
    return stored


def ingest_forever(*, stop: threading.Event, worker: str | None = None, interval: float = 1.0) -> None:
    """`strata ingest` runs this; `strata serve` runs `strata ingest` beside the web app. An
    error never ends the loop: it is logged, and the next round starts on a new connection."""
    worker = worker or worker_name()
    try:
        while not stop.is_set():
            try:
                run_once(worker=worker)
            except Exception as exc:
                log.exception("ingest stopped short; trying again in %s s", interval)
                if isinstance(exc, DatabaseError):
                    connection.close()
            stop.wait(interval)
    finally:
        connection.close()


def read_source(source_id: int, *, worker: str, enqueued: bool = False) -> int:
    """Read one source if it is due (or was `enqueued` for a task) and nobody holds it."""
    if not _claim(source_id, worker, enqueued=enqueued):
        return 0
    source = Source.objects.get(pk=source_id)
    account = ChannelAccount.objects.filter(workspace_id=source.workspace_id, channel_id=source.channel_id).first()
    reader = reader_for(source.platform)
    if account is None or reader is None:
        _release(source, error="the channel is not connected", wait=dt.timedelta(minutes=5))
        return 0
    credentials = account.credentials()
    try:
        if source.kind != Source.Kind.NOTIFICATIONS:
            heard, context, replies = sources.read(source, credentials), [], []
        else:
            heard = reader.notifications(credentials, source.cursor)
            context = _thread_context(source, reader, credentials, heard.items)
            replies = _conversation_replies(source, reader, credentials, heard.items)
    except RateLimited as exc:
        _back_off(source, str(exc), exc.retry_after)
        return 0
    except TransientError as exc:
        _back_off(source, str(exc), exc.retry_after)
        return 0
    except PermanentError as exc:
        _release(source, error=str(exc), broken=True)
        return 0
    with transaction.atomic():
        stored = _store(source, [*heard.items, *replies], context=False) + _store(source, context, context=True)
        source.cursor = heard.cursor
        _release(source, wait=dt.timedelta(0) if heard.more else INTERVAL)
    return stored


def _claim(source_id: int, worker: str, *, enqueued: bool = False) -> bool:
    current = now()
    # An enqueued source had its next read pushed back when it was handed to a task (tasks.py),
    # so that the enqueuing loop does not hand it out again; the task reads it all the same.
    due = Q() if enqueued else Q(next_read_at__lte=current)
    return bool(
        Source.objects.filter(due, pk=source_id, state=Source.State.ACTIVE)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=current))
        .update(leased_by=worker, leased_until=current + LEASE)
    )


def _release(source: Source, *, wait: dt.timedelta = INTERVAL, error: str = "", broken: bool = False) -> None:
    source.leased_by, source.leased_until = "", None
    source.last_read_at = now()
    source.next_read_at = now() + wait
    source.last_error = error
    source.failures = source.failures + 1 if error else 0
    if broken:
        source.state = Source.State.BROKEN
    source.save()


def _back_off(source: Source, error: str, retry_after: float | None) -> None:
    seconds = retry_after if retry_after is not None else min(MAX_BACKOFF, BACKOFF * 2 ** min(source.failures, 20))
    log.warning("reading %s of %s: %s; again in %.0f s", source.kind, source.channel_id, error, seconds)
    _release(source, error=error, wait=dt.timedelta(seconds=seconds))


def _thread_context(source: Source, reader: Any, credentials: Any, items: Iterable[Incoming]) -> list[Incoming]:
    """The posts above each reply whose parent Strata has not stored yet."""
    replies = [i for i in items if i.parent_id]
    known = set(
        HeardItem.objects.filter(
            workspace_id=source.workspace_id, platform=source.platform, remote_id__in=[r.parent_id for r in replies]
        ).values_list("remote_id", flat=True)
    )
    known |= {i.remote_id for i in items}
    context: dict[str, Incoming] = {}
    for reply in replies[:MAX_CONTEXT]:
        if reply.parent_id in known or reply.parent_id in context:
            continue
        for post in reader.thread(credentials, reply.remote_id):
            context.setdefault(post.remote_id, post)
    return [post for remote_id, post in context.items() if remote_id not in known]


def _conversation_replies(source: Source, reader: Any, credentials: Any, items: Iterable[Incoming]) -> list[Incoming]:
    """The replies below each thread a new reply belongs to that Strata has not stored: the
    platform tells the author of the post replied to, not always the brand whose post began it."""
    roots = list(dict.fromkeys(i.root_id or i.subject_id for i in items if i.kind == "reply" and (i.root_id or i.subject_id)))
    given = {i.remote_id for i in items}
    found: dict[str, Incoming] = {}
    for root in roots[:MAX_CONTEXT]:
        for reply in reader.conversation(credentials, root):
            if reply.remote_id not in given:
                found.setdefault(reply.remote_id, reply)
    known = set(
        HeardItem.objects.filter(workspace_id=source.workspace_id, platform=source.platform, remote_id__in=list(found)).values_list(
            "remote_id", flat=True
        )
    )
    return [reply for remote_id, reply in found.items() if remote_id not in known]


def _store(source: Source, items: Iterable[Incoming], *, context: bool) -> int:
    rows = [_row(source, item, context=context) for item in items]
    queries.tag(queries.workspace_matcher(source.workspace), rows)
    notification = source.kind == Source.Kind.NOTIFICATIONS
    if not notification:
        rows = [row for row in rows if row.matched_queries]  # a timeline is listened to, not stored whole
    if not rows:
        return 0
    _link_variants(source, rows)
    before = HeardItem.objects.filter(workspace_id=source.workspace_id).count()
    # Read twice, stored once; a text edited on the platform replaces the old one. A notification
    # about a post first heard by listening makes it the notification it is.
    also = ["kind", "context", "source", "channel_id", "subject_id", "variant"] if notification and not context else []
    HeardItem.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["workspace", "platform", "remote_id"],
        update_fields=["text", "truncated", "author_name", "author_handle", "matched_queries", "matched_key", *also],
    )
    return HeardItem.objects.filter(workspace_id=source.workspace_id).count() - before


def _row(source: Source, item: Incoming, *, context: bool) -> HeardItem:
    text = _clean(item.text)
    return HeardItem(
        workspace_id=source.workspace_id,
        source=source,
        channel_id=source.channel_id,
        platform=source.platform,
        remote_id=item.remote_id[:500],
        kind=item.kind if item.kind in HeardItem.Kind.values else HeardItem.Kind.POST,
        author_id=item.author_id[:300],
        author_handle=_clean(item.author_handle)[:300],
        author_name=_clean(item.author_name)[:300],
        text=text[:MAX_TEXT],
        truncated=len(text) > MAX_TEXT,
        url=item.url[:1000] if item.url.startswith("https://") else "",
        language=item.language[:20],
        parent_id=item.parent_id[:500],
        root_id=item.root_id[:500],
        subject_id=item.subject_id[:500],
        context=context,
        created_at=item.created_at,
    )


def _clean(text: str) -> str:
    """Lone surrogates cannot be stored (PostgreSQL refuses them, SQLite mangles them), and NUL
    ends a C string: both are replaced, everything else is kept as written and escaped on output."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


def _link_variants(source: Source, rows: list[HeardItem]) -> None:
    ids = {r.subject_id for r in rows} | {r.root_id for r in rows} | {r.parent_id for r in rows}
    ids.discard("")
    variants = dict(Variant.objects.filter(post__workspace_id=source.workspace_id, remote_id__in=ids).values_list("remote_id", "pk"))
    for row in rows:
        for candidate in (row.subject_id, row.root_id, row.parent_id):
            if candidate in variants:
                row.variant_id = variants[candidate]
                break
