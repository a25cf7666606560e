"""Reading published posts' counts, a batch of one channel's due posts at a time.

`due_batches()` groups the due schedules per channel and cuts them to the reader's `per_call`
(25 for Bluesky, 20 for Mastodon), so that one call reads a batch. `read_batch()`:
1. claims the batch (leases.py); what another worker holds is not in it;
2. asks the platform once for all of it, unless a rate limit holds the account back;
3. in one transaction, stores a PostReading for each post the platform answered for believably
   and moves each schedule to its next time (schedule.next_read), but only where this worker's
   lease still stands, so that a worker that outlived its lease stores nothing;
4. on a failure, stores no reading (a gap, never a zero), keeps the error on the schedule and
   tries again: a rate limit holds the whole account until the platform said; a transient
   failure retries with back-off, though never later than the next scheduled read; any other
   failure waits for the next scheduled read. A post the platform does not show (deleted, not
   indexed yet) or answers for with impossible numbers is a failure of that post alone.
After 90 days the schedule ends (next_read_at None), whatever happened.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.db import transaction
from django.db.models import F
from django.utils.timezone import now

from strata.analytics.metrics import leases
from strata.analytics.metrics.models import PostReading, PostSchedule
from strata.analytics.metrics.schedule import next_read, phase_of
from strata.platforms.base import PermanentError, RateLimited, TransientError
from strata.platforms.metrics import PostCounts, PostsRead
from strata.platforms.registry import metrics_reader_for
from strata.publishing.models import ChannelAccount

log = logging.getLogger(__name__)

DUE_LIMIT = 1000  # schedules looked at per round; the rest come next round
NOT_SHOWN = "the platform did not show this post (deleted, hidden, or not indexed yet)"
NOT_CONNECTED = "the channel is not connected"


def due_batches(limit: int = DUE_LIMIT) -> list[list[int]]:
    """The due, free schedules, oldest due first, in batches of one channel and one call."""
    at = now()
    rows = (
        PostSchedule.objects.filter(leases.due(at))
        .order_by("next_read_at", "pk")
        .values_list("pk", "workspace_id", "channel_id", "platform")
    )
    channels: dict[tuple[int, str, str], list[int]] = {}
    for pk, workspace_id, channel_id, platform in rows[:limit]:
        channels.setdefault((workspace_id, channel_id, platform), []).append(pk)
    batches: list[list[int]] = []
    for (_, _, platform), ids in channels.items():
        reader = metrics_reader_for(platform)
        size = max(1, reader.per_call if reader is not None else 1)
        batches.extend(ids[start : start + size] for start in range(0, len(ids), size))
    return batches


def read_batch(ids: Sequence[int], *, worker: str, handed: str = "") -> int:
    """Read the posts of `ids` that are due and free (or handed to this task); readings stored."""
    mark = leases.claim(PostSchedule, ids, worker=worker, handed=handed)
    held = list(PostSchedule.objects.filter(leased_by=mark).select_related("variant").order_by("pk"))
    if not held:
        return 0
    workspace_id, channel_id, platform = held[0].workspace_id, held[0].channel_id, held[0].platform
    # A batch is one channel's, as due_batches makes them; anything else goes back untouched.
    strangers = [s for s in held if (s.workspace_id, s.channel_id, s.platform) != (workspace_id, channel_id, platform)]
    _release(strangers, mark)
    held = [s for s in held if s not in strangers]
    at = now()
    hold = leases.held_until(workspace_id, channel_id, at)
    if hold is not None:
        _release(held, mark, next_at=hold)
        return 0
    account = ChannelAccount.objects.filter(workspace_id=workspace_id, channel_id=channel_id, platform=platform).first()
    reader = metrics_reader_for(platform)
    if account is None or reader is None:
        _failed(held, mark, NOT_CONNECTED)
        return 0
    try:
        read = reader.posts(account.credentials(), [s.variant.remote_id for s in held])
    except RateLimited as exc:
        until = now() + dt.timedelta(seconds=exc.retry_after or leases.BACKOFF.total_seconds())
        log.warning("post counts of %s: %s; the account waits until %s", channel_id, exc, until)
        leases.hold_account(workspace_id, channel_id, until)
        _failed(held, mark, str(exc), retry_at=until)
        return 0
    except TransientError as exc:
        log.warning("post counts of %s: %s", channel_id, exc)
        _failed(held, mark, str(exc), retry=True)
        return 0
    except PermanentError as exc:
        log.warning("post counts of %s: %s", channel_id, exc)
        _failed(held, mark, str(exc))
        return 0
    return _store(held, mark, read)


def _next(schedule: PostSchedule, at: dt.datetime) -> dt.datetime | None:
    published = schedule.variant.published_at or at
    return next_read(published, at, phase=phase_of(schedule.workspace_id, schedule.channel_id))


def _store(held: list[PostSchedule], mark: str, read: PostsRead) -> int:
    at = now()
    readings = []
    with transaction.atomic():
        for schedule in held:
            remote_id = schedule.variant.remote_id
            counts: PostCounts | None = read.counts.get(remote_id)
            error = "" if counts is not None else read.refused.get(remote_id, NOT_SHOWN)
            updated = PostSchedule.objects.filter(pk=schedule.pk, leased_by=mark).update(
                next_read_at=_next(schedule, at),
                last_read_at=at,
                reads=F("reads") + (1 if counts is not None else 0),
                failures=0 if counts is not None else F("failures") + 1,
                last_error=error,
                leased_by="",
                leased_until=None,
            )
            if updated and counts is not None:
                readings.append(
                    PostReading(
                        variant_id=schedule.variant_id,
                        read_at=at,
                        likes=counts.likes,
                        reposts=counts.reposts,
                        replies=counts.replies,
                        quotes=counts.quotes,
                    )
                )
        PostReading.objects.bulk_create(readings)
    return len(readings)


def _failed(held: list[PostSchedule], mark: str, error: str, *, retry: bool = False, retry_at: dt.datetime | None = None) -> None:
    """No reading: keep the error and choose the next try."""
    at = now()
    for schedule in held:
        scheduled = _next(schedule, at)
        when = scheduled
        if retry_at is not None:
            when = retry_at if scheduled is not None else None
        elif retry and scheduled is not None:
            when = min(scheduled, at + leases.backoff(schedule.failures + 1))
        PostSchedule.objects.filter(pk=schedule.pk, leased_by=mark).update(
            next_read_at=when, last_read_at=at, failures=F("failures") + 1, last_error=error[:1000], leased_by="", leased_until=None
        )


def _release(held: list[PostSchedule], mark: str, *, next_at: dt.datetime | None = None) -> None:
    """Give rows back without reading them: at their own time, or at `next_at`."""
    mine = PostSchedule.objects.filter(pk__in=[s.pk for s in held], leased_by=mark)
    if next_at is None:
        mine.update(leased_by="", leased_until=None)
    else:
        mine.update(leased_by="", leased_until=None, next_read_at=next_at)
