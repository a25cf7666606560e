"""The calendar's checks in the strategy review: they read posts, so they run for stored workspaces."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.timezone import now

from strata.publishing.mix import WINDOW
from strata.publishing.models import Post, Variant
from strata.publishing.planlink import PlanLink
from strata.publishing.similarity import similar_pairs
from strata.strategy.refs import fixed_at, ref_resolver
from strata.strategy.review.registry import Issue, ReviewContext, check

LIVE = (Post.State.APPROVED, Post.State.SCHEDULED, Post.State.PUBLISHED, Post.State.UNCONFIRMED)


def _posts(ctx: ReviewContext) -> list[Post]:
    if "posts" not in ctx.cache:
        since = now() - WINDOW
        ctx.cache["posts"] = list(
            # Replies answer conversations: no objective, mix or copy rule is about them.
            Post.objects.filter(workspace_id=ctx.workspace_id or 0, state__in=LIVE, deleted_at=None, is_reply=False)
            .exclude(scheduled_at__lt=since)
            .prefetch_related("variants")
        )
    return ctx.cache["posts"]  # type: ignore[no-any-return]


@ref_resolver("post")
def post_url(slug: str, ident: str) -> str | None:
    """A finding about a post ("post:12", or "post:12@channel") is fixed on the post's page."""
    number = ident.split("@")[0]
    return reverse("post-detail", args=[slug, int(number)]) if number.isascii() and number.isdigit() else None


@fixed_at("calendar.mix_drift")
@fixed_at("calendar.cadence_not_met")
def channel_calendar_url(slug: str, ref: str) -> str | None:
    """A channel's mix and cadence are fixed by moving and scheduling posts: its calendar."""
    kind, _, channel_id = ref.partition(":")
    return f"{reverse('calendar', args=[slug])}?{urlencode({'channel': channel_id})}" if kind == "channel" and channel_id else None


@check(
    "post.no_objective",
    "warning",
    title="Post that serves no objective",
    why="A post with no objective behind it is a tactic without strategy.",
    fix="Tie the post to an objective, or to a pillar that serves a strategy.",
    examines=lambda ctx: _posts(ctx),
    needs_workspace=True,
)
def no_objective(ctx: ReviewContext) -> Iterator[Issue]:
    link = PlanLink(ctx.plan)
    for post in _posts(ctx):
        if not link.serves_objective(post.objective_id, post.pillar_id):
            yield (
                f"post:{post.pk}",
                f"post {post.pk} ({post.label[:40]}) serves no objective",
            )


@check(
    "calendar.mix_drift",
    "warning",
    title="Promotion above the mix target",
    why="Past the plan's promotional share, followers stop listening.",
    fix="Move or replace promotional posts on this channel with social ones.",
    examines=lambda ctx: ctx.plan.channels,
    needs_workspace=True,
)
def mix_drift(ctx: ReviewContext) -> Iterator[Issue]:
    link = PlanLink(ctx.plan)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for post in _posts(ctx):
        promotional = link.kind_of(post.kind, post.pillar_id) == "promotional"
        for variant in post.variants.all():
            counts[variant.channel_id][0] += int(promotional)
            counts[variant.channel_id][1] += 1
    target = link.promotional_target
    for channel_id, (promo, total) in sorted(counts.items()):
        if total and promo / total > target + 1e-9:
            yield (
                f"channel:{channel_id}",
                f"{promo} of the {total} posts on '{channel_id}' in the last and next 30 days are promotional ({promo / total:.0%}; target {target:.0%})",
            )


@check(
    "calendar.same_text",
    "warning",
    title="The same message on several platforms",
    why="Each platform has its own strengths and audience; the same text everywhere wastes them.",
    fix="Write each channel's variant for its platform and its purpose.",
    examines=lambda ctx: _posts(ctx),
    needs_workspace=True,
)
def same_text(ctx: ReviewContext) -> Iterator[Issue]:
    by_week: dict[tuple[int, int], list[tuple[str, str]]] = defaultdict(list)
    for post in _posts(ctx):
        when = post.scheduled_at or post.created_at
        week = when.isocalendar()[:2]
        for variant in post.variants.all():
            by_week[(week[0], week[1])].append((f"post:{post.pk}@{variant.channel_id}", variant.text))
    reported = set()
    for items in by_week.values():
        for pair in similar_pairs(items):
            post_ref = pair.a.split("@")[0]
            if (post_ref, pair.b) in reported:
                continue
            reported.add((post_ref, pair.b))
            yield post_ref, f"{pair.a} and {pair.b} are {pair.score:.0%} the same text"


@check(
    "calendar.promotion_on_service_channel",
    "warning",
    title="Promotion on a customer-service channel",
    why="People come to a service channel for help; selling there erodes trust in both.",
    fix="Move the promotional post to a channel whose purpose is promoting products.",
    examines=lambda ctx: _posts(ctx),
    needs_workspace=True,
)
def promotion_on_service(ctx: ReviewContext) -> Iterator[Issue]:
    link = PlanLink(ctx.plan)
    for post in _posts(ctx):
        if link.kind_of(post.kind, post.pillar_id) != "promotional":
            continue
        for variant in post.variants.all():
            channel = link.channels.get(variant.channel_id)
            if channel is not None and channel.purpose == "customer_service":
                yield f"post:{post.pk}", f"promotional post {post.pk} is on customer-service channel '{variant.channel_id}'"


@check(
    "calendar.cadence_not_met",
    "info",
    title="Cadence not met",
    why="A channel that falls silent loses its audience; the plan promised a rhythm.",
    fix="Schedule more posts for this channel, or lower its cadence in the plan.",
    examines=lambda ctx: ctx.plan.channels,
    needs_workspace=True,
)
def cadence_not_met(ctx: ReviewContext) -> Iterator[Issue]:
    start = now()
    end = start + dt.timedelta(days=7)
    counts: dict[str, int] = defaultdict(int)
    for channel_id in Variant.objects.filter(
        post__workspace_id=ctx.workspace_id or 0,
        post__is_reply=False,  # answering people does not keep the plan's rhythm
        due_at__gte=start,
        due_at__lt=end,
        state__in=(Variant.State.SCHEDULED, Variant.State.PUBLISHING, Variant.State.PUBLISHED),
    ).values_list("channel_id", flat=True):
        counts[channel_id] += 1
    for channel in ctx.plan.channels:
        wanted = channel.cadence_per_week or 0
        if wanted and counts[channel.id] < wanted:
            yield (
                f"channel:{channel.id}",
                f"'{channel.id}' has {counts[channel.id]} post{'' if counts[channel.id] == 1 else 's'} in the next 7 days; the plan's cadence is {wanted:g} a week",
            )
