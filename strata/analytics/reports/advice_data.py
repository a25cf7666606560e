"""The numbers the advice rules weigh, per channel and per pillar: engagement a period's
readings show, followers at its end, clicks on short links. Unknown stays None, never 0."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Sum

from strata.accounts.models import Workspace
from strata.analytics.alignment import published_content
from strata.analytics.links.models import ClickDay
from strata.analytics.metrics.models import FollowerCount
from strata.analytics.reports import queries
from strata.analytics.reports.period import Period


@dataclass(frozen=True)
class Gains:
    """What some posts gained in a period: engagement, over how many posts were read."""

    engagement: int
    posts_read: int


def _posts(workspace: Workspace, begin: dt.datetime, finish: dt.datetime) -> list[queries.PostEngaged]:
    """What each post gained from `begin` to `finish`, counted as the report counts it
    (queries.posts_engaged; answers in conversations aside: they are the inbox's)."""
    return queries.posts_engaged(workspace, queries.Span(begin.date(), (finish - dt.timedelta(days=1)).date(), begin, finish))


def engagement_by_variant(workspace: Workspace, begin: dt.datetime, finish: dt.datetime) -> dict[int, int]:
    """Likes, reposts, replies and quotes each post gained from `begin` to `finish`, by variant."""
    return {post.variant_id: post.gained.engagement for post in _posts(workspace, begin, finish)}


def engagement_by_channel(workspace: Workspace, begin: dt.datetime, finish: dt.datetime) -> dict[str, Gains]:
    """Engagement gained in the period per plan channel; a channel with no post read is absent."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for post in _posts(workspace, begin, finish):
        total = totals[post.channel_id]
        total[0] += post.gained.engagement
        total[1] += 1
    return {channel: Gains(engagement, read) for channel, (engagement, read) in totals.items()}


def followers_at_end(workspace: Workspace, period: Period) -> dict[str, int]:
    """Each channel's newest follower count read in the period; a channel never read is absent."""
    found: dict[str, int] = {}
    rows = FollowerCount.objects.filter(workspace=workspace, day__range=(period.start, period.end), followers__isnull=False).order_by("day")
    for channel_id, followers in rows.values_list("channel_id", "followers"):
        if followers is not None:
            found[channel_id] = followers
    return found


@dataclass(frozen=True)
class PillarResult:
    posts: int  # published in the period
    engagement: int  # what those posts gained by the period's end
    clicks: int  # on their short links, in the period (people, not bots)


def by_pillar(workspace: Workspace, period: Period, begin: dt.datetime, finish: dt.datetime) -> dict[str, PillarResult]:
    """Posts published in the period, per pillar, with what they gained and the clicks they had."""
    variants = published_content(workspace, begin, finish).exclude(post__pillar_id="")
    pillar_of = dict(variants.values_list("pk", "post__pillar_id"))
    posts: dict[str, set[int]] = defaultdict(set)
    for pillar_id, post_id in variants.values_list("post__pillar_id", "post_id"):
        posts[pillar_id].add(post_id)
    engagement: dict[str, int] = defaultdict(int)
    for variant_id, value in engagement_by_variant(workspace, begin, finish).items():
        if variant_id in pillar_of:
            engagement[pillar_of[variant_id]] += value
    clicks = dict(
        ClickDay.objects.filter(link__workspace=workspace, day__range=(period.start, period.end))
        .exclude(link__pillar_id="")
        .values_list("link__pillar_id")
        .annotate(total=Sum("clicks"))
        .values_list("link__pillar_id", "total")
    )
    return {p: PillarResult(len(ids), engagement[p], int(clicks.get(p) or 0)) for p, ids in posts.items()}
