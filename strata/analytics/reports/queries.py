"""The numbers of one report period, each read with a few aggregate queries (never one query
per post: a workspace with 10,000 posts and a million readings must report in under a second).

Days are the workspace's days, except the short links' clicks, which the redirect counts per
UTC day (links/models.py). Gaps stay gaps: a day without a number is None, never 0.

Engagement of a post in a period is what its counts grew by: its last reading in the period
less its last reading before it. A post with no reading before the period starts from zero
when its first reading was taken the day it went out, and otherwise from that first reading
(the same rule as metrics/queries.engagement_by_day: a late first reading is only where growth
starts, or a whole past would land in one period)."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from strata.accounts.models import Workspace
from strata.analytics.imports.models import SupportCount, WebTraffic
from strata.analytics.links.models import ClickDay
from strata.analytics.metrics.models import FollowerCount, PostReading
from strata.analytics.metrics.queries import days, zone_of
from strata.engagement.inbox import figures
from strata.engagement.inbox.models import Conversation
from strata.publishing.models import Variant
from strata.publishing.planlink import PlanLink
from strata.strategy.plan.schema import PLATFORMS, PlanDocument


@dataclass(frozen=True)
class Span:
    """A period as the queries need it: its days and the instants that bound them."""

    start: dt.date
    end: dt.date  # included
    begin: dt.datetime  # start's midnight in the workspace's zone
    finish: dt.datetime  # the midnight after `end`

    @classmethod
    def of(cls, workspace: Workspace, start: dt.date, end: dt.date) -> Span:
        zone = zone_of(workspace)
        return cls(
            start,
            end,
            dt.datetime.combine(start, dt.time(0), zone),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), zone),
        )


# -- followers ---------------------------------------------------------------------------------


def followers(workspace: Workspace, span: Span) -> dict[str, list[tuple[dt.date, int | None]]]:
    """Followers per channel and day, every day of the span; None is a gap. One query."""
    rows = FollowerCount.objects.filter(workspace=workspace, day__range=(span.start, span.end)).values_list(
        "channel_id", "day", "followers"
    )
    known: dict[str, dict[dt.date, int | None]] = defaultdict(dict)
    for channel_id, day, count in rows:
        known[channel_id][day] = count
    every = days(span.start, span.end)
    return {channel: [(day, counts.get(day)) for day in every] for channel, counts in sorted(known.items())}


# -- engagement --------------------------------------------------------------------------------


@dataclass
class Engaged:
    """What a group of posts (a channel, a pillar, one post) gained in the period."""

    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0
    posts: int = 0  # posts with a reading in the period

    @property
    def engagement(self) -> int:
        return self.likes + self.reposts + self.replies + self.quotes

    @property
    def per_post(self) -> float | None:
        return self.engagement / self.posts if self.posts else None

    def add(self, other: Engaged) -> None:
        self.likes += other.likes
        self.reposts += other.reposts
        self.replies += other.replies
        self.quotes += other.quotes
        self.posts += other.posts

    def as_dict(self) -> dict[str, object]:
        per_post = self.per_post
        return {
            "likes": self.likes,
            "reposts": self.reposts,
            "replies": self.replies,
            "quotes": self.quotes,
            "engagement": self.engagement,
            "posts": self.posts,
            "per_post": None if per_post is None else round(per_post, 1),
        }


@dataclass(frozen=True)
class PostEngaged:
    variant_id: int
    post_id: int
    channel_id: str
    platform: str
    pillar_id: str
    objective_id: str
    title: str  # the post's title, or the start of its text: the platform's words, escaped where shown
    url: str
    published_at: dt.datetime | None
    gained: Engaged


@dataclass
class Engagement:
    total: Engaged = field(default_factory=Engaged)
    by_channel: dict[str, Engaged] = field(default_factory=dict)
    by_pillar: dict[str, Engaged] = field(default_factory=dict)  # "" : posts without a pillar
    by_objective: dict[str, Engaged] = field(default_factory=dict)  # "" : posts serving none
    top: list[PostEngaged] = field(default_factory=list)


TOP_POSTS = 10


def _reading(order: str, **where: object) -> QuerySet[PostReading]:
    return PostReading.objects.filter(variant=OuterRef("pk"), **where).order_by(order, f"{order[0] if order[0] == '-' else ''}pk")


def engagement(workspace: Workspace, span: Span, plan: PlanDocument) -> Engagement:
    """Engagement gained in the span per channel, pillar and objective, and the top posts."""
    link = PlanLink(plan)
    found = Engagement()
    posts = posts_engaged(workspace, span)
    for post in posts:
        found.total.add(post.gained)
        found.by_channel.setdefault(post.channel_id, Engaged()).add(post.gained)
        found.by_pillar.setdefault(post.pillar_id, Engaged()).add(post.gained)
        serves = post.objective_id if post.objective_id in link.objectives else ""
        found.by_objective.setdefault(serves, Engaged()).add(post.gained)
    posts.sort(key=lambda p: (-p.gained.engagement, -p.variant_id))
    found.top = posts[:TOP_POSTS]
    _titles(found.top)
    return found


# One report asks for the same span's posts several times (the figures, then the advice's
# rules): within `remembering()`, the first answer is kept and handed out again.
_remembered: contextvars.ContextVar[dict[tuple[int, dt.datetime, dt.datetime], list[PostEngaged]] | None] = contextvars.ContextVar(
    "posts_engaged", default=None
)


@contextlib.contextmanager
def remembering() -> Iterator[None]:
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def posts_engaged(workspace: Workspace, span: Span) -> list[PostEngaged]:
    """What each post (each variant; answers in conversations aside) gained in the span; a new
    list each time (callers sort it), its items shared within `remembering()`."""
    memo = _remembered.get()
    if memo is None:
        return _posts_engaged(workspace, span)
    key = (workspace.pk, span.begin, span.finish)
    if key not in memo:
        memo[key] = _posts_engaged(workspace, span)
    return list(memo[key])


def _posts_engaged(workspace: Workspace, span: Span) -> list[PostEngaged]:
    """What each post (each variant; answers in conversations aside) gained in the span.

    1. One query: every variant of the workspace read in the span, with three correlated
       look-ups on the (variant, -read_at) index: its last reading before the span, its first
       and its last reading in it.
    2. One batched query for those readings (at most three per variant).
    3. Growth per variant from its base (see the module's docstring)."""
    in_span = {"read_at__gte": span.begin, "read_at__lt": span.finish}
    variants = (
        Variant.objects.filter(post__workspace=workspace, post__is_reply=False, published_at__isnull=False, published_at__lt=span.finish)
        .annotate(last_pk=Subquery(_reading("-read_at", **in_span).values("pk")[:1]))
        .filter(last_pk__isnull=False)  # read in the span
        .annotate(
            before_pk=Subquery(_reading("-read_at", read_at__lt=span.begin).values("pk")[:1]),
            first_pk=Subquery(_reading("read_at", **in_span).values("pk")[:1]),
            first_at=Subquery(_reading("read_at", **in_span).values("read_at")[:1]),
        )
        .values_list(
            "pk", "post_id", "channel_id", "platform", "post__pillar_id", "post__objective_id", "post__title",
            "remote_url", "published_at", "first_at", "before_pk", "first_pk", "last_pk",
        )
    )  # fmt: skip
    rows = list(variants)
    readings = _counts({pk for row in rows for pk in row[-3:] if pk is not None})
    zone = zone_of(workspace)
    posts: list[PostEngaged] = []
    for pk, post_id, channel_id, platform, pillar_id, objective_id, title, url, published_at, first_at, before, first, last in rows:
        base = readings.get(before) if before is not None else None
        if base is None and first is not None:
            went_out = published_at.astimezone(zone).date() if published_at else None
            if went_out != first_at.astimezone(zone).date():
                base = readings[first]  # a late first reading: growth starts here
        gained = _growth(base, readings[last])
        posts.append(PostEngaged(pk, post_id, channel_id, platform, pillar_id, objective_id, title, url, published_at, gained))
    return posts


Counts = tuple[int, int, int, int | None]  # likes, reposts, replies, quotes
CHUNK = 900  # ids per IN (…): under SQLite's oldest limit on parameters


def _counts(ids: set[int]) -> dict[int, Counts]:
    """The counts of these readings, as plain tuples. Plain SQL: tens of thousands of model
    instances, or the ORM compiling a long IN (…) each time, cost more than the query."""
    ordered = sorted(ids)
    found: dict[int, Counts] = {}
    table = PostReading._meta.db_table
    with connection.cursor() as cursor:
        for i in range(0, len(ordered), CHUNK):
            chunk = ordered[i : i + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT id, likes, reposts, replies, quotes FROM {table} WHERE id IN ({marks})", chunk)
            found.update((pk, (likes, reposts, replies, quotes)) for pk, likes, reposts, replies, quotes in cursor.fetchall())
    return found


def _growth(base: Counts | None, reading: Counts) -> Engaged:
    """From `base` (None: from zero) to `reading`. Quotes count only where both know them."""
    likes, reposts, replies, quotes = reading
    if base is None:
        return Engaged(likes, reposts, replies, quotes or 0, 1)
    grown = 0 if quotes is None or base[3] is None else quotes - base[3]
    return Engaged(likes - base[0], reposts - base[1], replies - base[2], grown, 1)


def _titles(top: list[PostEngaged]) -> None:
    """A post without a title is named by the start of its text: read for the top posts only."""
    untitled = [p.variant_id for p in top if not p.title]
    texts = dict(Variant.objects.filter(pk__in=untitled).values_list("pk", "text"))
    for i, post in enumerate(top):
        if not post.title:
            text = " ".join(texts.get(post.variant_id, "").split())
            top[i] = PostEngaged(**{**post.__dict__, "title": text[:80] + ("…" if len(text) > 80 else "")})


# -- the inbox ---------------------------------------------------------------------------------


def responses(workspace: Workspace, span: Span, *, at: dt.datetime) -> list[figures.Figures]:
    """The inbox's figures per channel, for conversations that began in the span, judged as they
    stood at `at` (the end of the span, or now for a month not yet over). One query."""
    found = (
        Conversation.objects.filter(workspace=workspace, started_at__gte=span.begin, started_at__lt=span.finish)
        .exclude(state=Conversation.State.IGNORED)
        .only("channel_id", "started_at", "first_answered_at", "answered_at", "last_inbound_at", "due_at", "breached", "sentiment", "state")
    )
    groups: dict[str, list[Conversation]] = defaultdict(list)
    for c in found:
        groups[c.channel_id].append(c)
    return [figures.summarise("channel", channel, group, at) for channel, group in sorted(groups.items())]


def all_responses(per_channel: list[figures.Figures]) -> dict[str, object]:
    """The inbox as a whole, from the channels' figures (medians cannot be summed: left out)."""
    conversations = sum(f.conversations for f in per_channel)
    answered = sum(f.answered for f in per_channel)
    return {
        "conversations": conversations,
        "answered": answered,
        "response_rate": round(answered / conversations, 3) if conversations else None,
        "worst_median_first_minutes": max(
            (f.median_first_minutes for f in per_channel if f.median_first_minutes is not None), default=None
        ),
    }


# -- clicks, imported traffic and support ------------------------------------------------------


def clicks_by_objective(workspace: Workspace, span: Span) -> dict[str, dict[str, int]]:
    """People's clicks and visitors on short links per objective ("" : links serving none), by
    UTC day. One query."""
    rows = (
        ClickDay.objects.filter(link__workspace=workspace, day__range=(span.start, span.end))
        .values("link__objective_id")
        .annotate(clicks=Coalesce(Sum("clicks"), 0), visitors=Coalesce(Sum("visitors"), 0))
    )
    return {row["link__objective_id"]: {"clicks": row["clicks"], "visitors": row["visitors"]} for row in rows}


@dataclass(frozen=True)
class Traffic:
    visits: int
    seconds_per_visit: float | None  # weighted by visits, of the rows that say
    conversions: int | None  # None: no export in the span counted them
    days_covered: int


def traffic(workspace: Workspace, span: Span) -> dict[str, Traffic]:
    """Imported web traffic from social per campaign ("*": all social sources), where imported."""
    rows = WebTraffic.objects.filter(workspace=workspace, day__range=(span.start, span.end))
    covered = rows.values("day").distinct().count()
    if not covered:
        return {}
    sums = {
        "n_visits": Coalesce(Sum("visits"), 0),
        "timed": Sum("visits", filter=Q(duration_seconds__isnull=False)),
        "seconds": Sum(F("duration_seconds") * F("visits"), filter=Q(duration_seconds__isnull=False)),
        "n_conversions": Sum("conversions"),
    }
    found: dict[str, Traffic] = {}
    social = rows.filter(utm_source__in=PLATFORMS).aggregate(**sums)
    found["*"] = _traffic(social, covered)
    for row in rows.exclude(utm_campaign="").values("utm_campaign").annotate(**sums):
        found[row["utm_campaign"]] = _traffic(row, covered)
    return found


def _traffic(row: dict[str, object], covered: int) -> Traffic:
    timed, seconds = row["timed"], row["seconds"]
    per_visit = float(seconds) / float(timed) if isinstance(seconds, (int, float)) and isinstance(timed, int) and timed else None
    conversions = row["n_conversions"]
    return Traffic(
        visits=int(row["n_visits"]),  # type: ignore[call-overload]
        seconds_per_visit=None if per_visit is None else round(per_visit, 1),
        conversions=int(conversions) if isinstance(conversions, int) else None,
        days_covered=covered,
    )


@dataclass(frozen=True)
class Support:
    inquiries: int
    days_covered: int
    days: int

    @property
    def per_day(self) -> float | None:
        return self.inquiries / self.days_covered if self.days_covered else None


def support(workspace: Workspace, span: Span) -> Support | None:
    """Support inquiries imported for the span, or None when none were."""
    rows = SupportCount.objects.filter(workspace=workspace, day__range=(span.start, span.end))
    found = rows.aggregate(n=Sum("inquiries"), covered=Max("day"))
    if found["covered"] is None:
        return None
    covered = rows.values("day").distinct().count()
    return Support(int(found["n"] or 0), covered, span.end.toordinal() - span.start.toordinal() + 1)
