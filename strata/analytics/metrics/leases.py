"""Who reads a schedule now: leases, as engagement.Source has them, so that any number of loops
and task workers read each post once per due time.

A claim is one conditional UPDATE that writes a mark of its own (the worker's name and a random
part) on the rows that are due and free, then reads back the rows that carry the mark: whatever
another worker claimed in between is not among them. PostgreSQL re-checks the condition on a row
another transaction just changed, SQLite writes one transaction at a time: either way a row
goes to one claimant. The release writes the next time only where the mark is still there, so
a worker that outlived its lease (and lost the row to another) stores nothing.

Handing out to a task works the same way with a longer lease: the loop marks the rows and the
task claims only rows that still carry that mark. A task that runs twice finds the mark gone the
second time; a task that never runs leaves rows due again once the hand-out expires.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from django.db.models import Q
from django.utils.timezone import now

from strata.analytics.metrics.models import ChannelSchedule, PostSchedule

LEASE = dt.timedelta(seconds=120)  # longer than a read takes: two calls of TIMEOUT at most
HANDED_OUT = dt.timedelta(minutes=5)  # a task not started by then gives its rows back
BACKOFF = dt.timedelta(seconds=60)
MAX_BACKOFF = dt.timedelta(hours=6)

Schedules = type[PostSchedule] | type[ChannelSchedule]


def free(at: dt.datetime) -> Q:
    return Q(leased_until__isnull=True) | Q(leased_until__lt=at)


def due(at: dt.datetime) -> Q:
    return Q(next_read_at__lte=at) & free(at)


def claim(model: Schedules, ids: Sequence[int], *, worker: str, handed: str = "", lease: dt.timedelta = LEASE) -> str:
    """Lease the rows of `ids` that are due and free (or, for a task, still carry the hand-out
    mark `handed`); the mark that names them. Read them back with `leased_by=mark`."""
    mark = f"{worker[:80]}#{secrets.token_hex(6)}"
    at = now()
    mine = Q(leased_by=handed) if handed else due(at)
    model.objects.filter(mine, pk__in=list(ids)).update(leased_by=mark, leased_until=at + lease)
    return mark


def hand_out(model: Schedules, ids: Sequence[int]) -> tuple[str, list[int]]:
    """Mark due rows for a task; the mark and the ids it got (none when others had them)."""
    mark = claim(model, ids, worker="task", lease=HANDED_OUT)
    return mark, list(model.objects.filter(leased_by=mark).values_list("pk", flat=True))


def backoff(failures: int) -> dt.timedelta:
    """How long after the `failures`th failure in a row to try again: doubling, capped."""
    return min(MAX_BACKOFF, BACKOFF * (1 << min(max(failures - 1, 0), 20)))


def hold_account(workspace_id: int, channel_id: str, until: dt.datetime) -> None:
    """The platform said 429 for this account: no call for it before `until`, for followers and
    posts alike. Schedules due before then move to then (their lease, if any, stays)."""
    ChannelSchedule.objects.filter(workspace_id=workspace_id, channel_id=channel_id).update(held_until=until)
    ChannelSchedule.objects.filter(workspace_id=workspace_id, channel_id=channel_id, next_read_at__lt=until).update(next_read_at=until)
    PostSchedule.objects.filter(workspace_id=workspace_id, channel_id=channel_id, next_read_at__lt=until).update(next_read_at=until)


def held_until(workspace_id: int, channel_id: str, at: dt.datetime) -> dt.datetime | None:
    """Until when a rate limit holds the account back, or None when it does not."""
    until = ChannelSchedule.objects.filter(workspace_id=workspace_id, channel_id=channel_id).values_list("held_until", flat=True).first()
    return until if until is not None and until > at else None
