"""When a published post is read again: often while it is new, rarely once it is old, never after
90 days.

Engagement comes in a burst: most likes, reposts and replies arrive in the first hours, a
trickle over the next days, almost nothing after two weeks. Reads follow the curve, so that the
early rise has points to draw and an old post costs a share of one call a day:

| age of the post   | read every | reads in the band |
|-------------------|------------|-------------------|
| up to 6 hours     | 15 minutes | 24                |
| up to 2 days      | hour       | 42                |
| up to 14 days     | 6 hours    | 48                |
| up to 90 days     | day        | 76                |
| after 90 days     | never      |                   |

The read times lie on one grid per channel: every quarter hour, every hour, every 6 hours and
every day counted from midnight UTC, all shifted by the channel's phase (under 15 minutes, from
its id). The grids nest, so every post of a channel that is due at all is due at the same
moment as the others and they share calls (25 posts a Bluesky call, 20 a Mastodon one): a
channel with 900 posts under 90 days old costs 36 calls a day for the daily reads, not 900.
The phase spreads the channels' calls over the quarter hour instead of every account calling at
once. A post's very first read is not on the grid: it is read as soon as Strata finds it
published (collect.sweep), for a baseline.
"""

from __future__ import annotations

import datetime as dt
import hashlib

BANDS: tuple[tuple[dt.timedelta, dt.timedelta], ...] = (
    (dt.timedelta(hours=6), dt.timedelta(minutes=15)),
    (dt.timedelta(days=2), dt.timedelta(hours=1)),
    (dt.timedelta(days=14), dt.timedelta(hours=6)),
    (dt.timedelta(days=90), dt.timedelta(days=1)),
)
LIFETIME = BANDS[-1][0]  # no read after this age
FINEST = BANDS[0][1]
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def interval(age: dt.timedelta) -> dt.timedelta | None:
    """How often a post of this age is read; None once it is LIFETIME old."""
    for limit, every in BANDS:
        if age < limit:
            return every
    return None


def next_read(published_at: dt.datetime, now: dt.datetime, *, phase: dt.timedelta = dt.timedelta(0)) -> dt.datetime | None:
    """The first read time strictly after `now` for a post published at `published_at`, or None
    when the next one would come after LIFETIME. A post from the future (a platform's clock, a
    bad row) counts as just published."""
    every = interval(max(now - published_at, dt.timedelta(0)))
    if every is None:
        return None
    origin = EPOCH + phase % FINEST  # a phase under the finest interval keeps the grids nested
    when = origin + every * ((now - origin) // every + 1)
    return when if when - published_at <= LIFETIME else None


def phase_of(workspace_id: int, channel_id: str) -> dt.timedelta:
    """A channel's own shift of the grid, the same in every process and after every restart."""
    digest = hashlib.sha256(f"{workspace_id}:{channel_id}".encode()).digest()
    return dt.timedelta(seconds=int.from_bytes(digest[:4], "big") % int(FINEST.total_seconds()))
