"""The numbers as reports read them. Gaps stay gaps: a day nothing could be read is None, never 0.

- `followers_series`: followers per day of one channel, None where the day has no number;
  `gap_reasons` says why, where Strata tried.
- `post_totals`: the newest reading of each variant (counts are totals: the newest is the total).
- `engagement_by_day`: what a workspace's posts gained each day, from the difference between
  each post's last reading of the day and its last reading before it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from strata.accounts.models import Workspace
from strata.analytics.metrics.models import ChannelSchedule, FollowerCount, PostReading
from strata.publishing.models import Variant


def days(since: dt.date, until: dt.date) -> list[dt.date]:
    return [since + dt.timedelta(days=n) for n in range((until - since).days + 1)]


def followers_series(workspace: Workspace, channel_id: str, since: dt.date, until: dt.date) -> list[tuple[dt.date, int | None]]:
    """(day, followers) for every day from `since` to `until`, both included; None is a gap."""
    known = dict(
        FollowerCount.objects.filter(workspace=workspace, channel_id=channel_id, day__range=(since, until)).values_list("day", "followers")
    )
    return [(day, known.get(day)) for day in days(since, until)]


def gap_reasons(workspace: Workspace, channel_id: str, since: dt.date, until: dt.date) -> dict[dt.date, str]:
    """Why each day Strata tried and failed has no number (days it did not try are not here)."""
    return dict(
        FollowerCount.objects.filter(
            workspace=workspace, channel_id=channel_id, day__range=(since, until), followers__isnull=True
        ).values_list("day", "error")
    )


def post_totals(variant_ids: Iterable[int]) -> dict[int, PostReading]:
    """The newest reading of each variant that has one, by variant id."""
    newest = PostReading.objects.filter(variant=OuterRef("variant")).order_by("-read_at", "-pk").values("pk")[:1]
    rows = PostReading.objects.filter(variant_id__in=list(variant_ids), pk=Subquery(newest))
    return {row.variant_id: row for row in rows}


@dataclass(frozen=True)
class Gained:
    likes: int
    reposts: int
    replies: int
    quotes: int  # of the posts whose platform counts quotes
    posts: int  # posts read that day

    @property
    def engagement(self) -> int:
        return self.likes + self.reposts + self.replies + self.quotes

    def __add__(self, other: Gained) -> Gained:
        return Gained(
            self.likes + other.likes,
            self.reposts + other.reposts,
            self.replies + other.replies,
            self.quotes + other.quotes,
            self.posts + other.posts,
        )


NOTHING = Gained(0, 0, 0, 0, 0)


def engagement_by_day(workspace: Workspace, since: dt.date, until: dt.date) -> list[tuple[dt.date, Gained | None]]:
    """What the workspace's posts gained each day (the workspace's days), `since` to `until`
    included. A day on which no post was read is None: nothing was measured, which is not
    "nothing happened". Growth between two readings counts on the day of the later one, and can
    be negative (likes taken back). A post's first reading counts from zero when it was taken
    the day the post went out; a first reading taken later (a post published while Strata was
    not collecting) is only where its growth starts, or its whole past would land on one day."""
    zone = zone_of(workspace)
    start = dt.datetime.combine(since, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    mine = PostReading.objects.filter(variant__post__workspace=workspace)
    # Each post's last reading before the range: where its growth in the range starts from.
    before = mine.filter(read_at__lt=start, variant=OuterRef("variant")).order_by("-read_at", "-pk").values("pk")[:1]
    previous: dict[int, PostReading] = {r.variant_id: r for r in mine.filter(read_at__lt=start, pk=Subquery(before))}
    last_of_day: dict[tuple[int, dt.date], PostReading] = {}
    for reading in mine.filter(read_at__gte=start, read_at__lt=end).order_by("read_at", "pk"):
        last_of_day[reading.variant_id, reading.read_at.astimezone(zone).date()] = reading
    published = dict(Variant.objects.filter(pk__in={v for v, _ in last_of_day}).values_list("pk", "published_at"))
    totals: dict[dt.date, Gained] = {}
    for (variant_id, day), reading in sorted(last_of_day.items(), key=lambda item: item[1].read_at):
        base = previous.get(variant_id)
        went_out = published.get(variant_id)
        if base is None and not (went_out is not None and went_out.astimezone(zone).date() == day):
            base = reading  # a late first reading: growth starts here
        totals[day] = totals.get(day, NOTHING) + _growth(base, reading)
        previous[variant_id] = reading
    return [(day, totals.get(day)) for day in days(since, until)]


def _growth(base: PostReading | None, reading: PostReading) -> Gained:
    """From `base` (None: from zero) to `reading`. Quotes count only where both know them."""
    quotes = 0
    if reading.quotes is not None and (base is None or base.quotes is not None):
        quotes = reading.quotes - (0 if base is None or base.quotes is None else base.quotes)
    if base is None:
        return Gained(reading.likes, reading.reposts, reading.replies, quotes, 1)
    return Gained(reading.likes - base.likes, reading.reposts - base.reposts, reading.replies - base.replies, quotes, 1)


def zone_of(workspace: Workspace) -> zoneinfo.ZoneInfo:
    """The workspace's zone, whose days the numbers are counted in; UTC if its name is unknown here."""
    try:
        return workspace.tzinfo
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def channels_measured(workspace: Workspace) -> list[str]:
    """The channels whose followers Strata reads or has read."""
    scheduled = ChannelSchedule.objects.filter(workspace=workspace).values_list("channel_id", flat=True)
    counted = FollowerCount.objects.filter(workspace=workspace).values_list("channel_id", flat=True).distinct()
    return sorted({*scheduled, *counted})


def top_posts(workspace: Workspace, limit: int = 10) -> list[tuple[Variant, PostReading]]:
    """The workspace's posts with the most engagement in their newest reading, most first."""
    measured = PostReading.objects.filter(variant__post__workspace=workspace).values_list("variant_id", flat=True).distinct()
    totals = post_totals(measured)
    best = sorted(totals.values(), key=lambda r: (-r.engagement, -r.variant_id))[:limit]
    variants = Variant.objects.select_related("post").in_bulk([r.variant_id for r in best])
    return [(variants[r.variant_id], r) for r in best]
