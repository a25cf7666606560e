"""Channels: one profile, one purpose, an audience, someone in charge, and worth the effort."""

from __future__ import annotations

import statistics
from collections.abc import Iterator

from strata.strategy.plan.schema import Channel
from strata.strategy.review.registry import Issue, ReviewContext, check

# A channel reaching less than this share of the plan's median reach per hour is flagged.
WORTH_EFFORT_SHARE = 0.25


def reach(ctx: ReviewContext, channel: Channel) -> int:
    """People a channel can reach: its audiences' estimated presence on its platform."""
    audiences = ctx.cache.get("audiences_by_id")
    if audiences is None:
        audiences = ctx.cache["audiences_by_id"] = {a.id: a for a in ctx.plan.audiences}
    return sum(audiences[a].presence.get(channel.platform, 0) for a in channel.audiences if a in audiences)


@check(
    "plan.no_channels",
    "error",
    title="No channels",
    why="A plan with no channels has no way to reach its audiences.",
    fix="Add the profiles you run (or want to run), each with one primary purpose.",
)
def no_channels(ctx: ReviewContext) -> Iterator[Issue]:
    if not ctx.plan.channels:
        yield "channels", "the plan has no channels"


@check(
    "channel.no_purpose",
    "error",
    title="Channel with no primary purpose",
    why="A profile without a purpose gets a bit of everything and serves nobody well.",
    fix="Choose exactly one purpose: branding, promoting_products, educating, driving_traffic, customer_service or communicating_with_clients.",
    form_fix="Choose exactly one “Primary purpose” for the channel.",
    examines=lambda ctx: ctx.plan.channels,
)
def no_purpose(ctx: ReviewContext) -> Iterator[Issue]:
    for channel in ctx.plan.channels:
        if channel.purpose is None:
            yield f"channel:{channel.id}", f"channel '{channel.id}' ({channel.handle}) has no primary purpose"


@check(
    "channel.no_audience",
    "warning",
    title="Channel serving no audience",
    why="A channel is there to reach people the plan names; without them, nobody can say whether it works.",
    fix="List the audiences this channel reaches.",
    examines=lambda ctx: ctx.plan.channels,
)
def no_audience(ctx: ReviewContext) -> Iterator[Issue]:
    for channel in ctx.plan.channels:
        if not channel.audiences:
            yield f"channel:{channel.id}", f"channel '{channel.id}' serves no audience"


@check(
    "channel.no_one_responsible",
    "error",
    title="Channel nobody is responsible for",
    why="Unattended profiles collect unanswered questions in public.",
    fix="Under responsible, name who looks after the channel on which days (the conversation calendar).",
    form_fix="Under “Who is responsible on which days”, tick who looks after the channel on which days (the conversation calendar).",
    examines=lambda ctx: ctx.plan.channels,
)
def no_one_responsible(ctx: ReviewContext) -> Iterator[Issue]:
    for channel in ctx.plan.channels:
        if not any(duty.days for duty in channel.responsible):
            yield f"channel:{channel.id}", f"nobody is responsible for channel '{channel.id}' on any day"


@check(
    "channel.platform_without_audience",
    "warning",
    title="Platform where none of the audiences is",
    why="Being on a platform because everybody is there is a tactic without strategy.",
    fix="Drop the channel, or record which audience is present on that platform.",
    examines=lambda ctx: ctx.plan.channels,
)
def platform_without_audience(ctx: ReviewContext) -> Iterator[Issue]:
    present = {platform for a in ctx.plan.audiences for platform, size in a.presence.items() if size}
    for channel in ctx.plan.channels:
        if channel.platform not in present:
            yield f"channel:{channel.id}", f"none of the plan's audiences is on {channel.platform}, where channel '{channel.id}' is"


@check(
    "channel.effort_unknown",
    "warning",
    title="Channel whose worth cannot be judged",
    why="Without the effort a channel takes and the people it reaches, nobody can tell whether it is worth keeping.",
    fix="Set effort_hours_per_week, and estimate the presence of its audiences on its platform.",
    form_fix="Fill in “Effort (hours a week)”, and estimate under the audiences’ “Where they are” how many of them are on its platform.",
    examines=lambda ctx: ctx.plan.channels,
)
def effort_unknown(ctx: ReviewContext) -> Iterator[Issue]:
    present = {platform for a in ctx.plan.audiences for platform, size in a.presence.items() if size}
    for channel in ctx.plan.channels:
        if not channel.effort_hours_per_week:
            yield f"channel:{channel.id}", f"the effort channel '{channel.id}' takes is unknown"
        elif channel.audiences and channel.platform in present and reach(ctx, channel) == 0:
            # (A platform no audience is on at all is reported by platform_without_audience.)
            yield (
                f"channel:{channel.id}",
                f"none of the audiences channel '{channel.id}' serves ({', '.join(channel.audiences)}) has a known presence on {channel.platform}",
            )


@check(
    "channel.not_worth_effort",
    "warning",
    title="Channel not worth the effort",
    why="Hours spent on a channel that reaches few people are hours not spent where the audience is.",
    fix="Cut the effort, merge the channel into a stronger one, or drop it.",
    examines=lambda ctx: ctx.plan.channels,
)
def not_worth_effort(ctx: ReviewContext) -> Iterator[Issue]:
    per_hour = {}
    for channel in ctx.plan.channels:
        people = reach(ctx, channel)
        if channel.effort_hours_per_week and people:
            per_hour[channel.id] = people / channel.effort_hours_per_week
    if len(per_hour) < 2:
        return
    median = statistics.median(per_hour.values())
    for channel_id, value in per_hour.items():
        if value < WORTH_EFFORT_SHARE * median:
            yield (
                f"channel:{channel_id}",
                f"channel '{channel_id}' reaches about {value:,.0f} people per hour of effort, "
                f"against a median of {median:,.0f} across the plan's channels",
            )


@check(
    "channel.duplicate_profile",
    "error",
    title="Two channels for one profile",
    why="One profile has one purpose; two channel entries for the same handle hide a second purpose.",
    fix="Keep one channel per profile; open a second profile for a second purpose.",
    examines=lambda ctx: ctx.plan.channels,
)
def duplicate_profile(ctx: ReviewContext) -> Iterator[Issue]:
    seen: dict[tuple[str, str], str] = {}
    for channel in ctx.plan.channels:
        key = (channel.platform, channel.handle.lower().lstrip("@"))
        if key in seen:
            yield (
                f"channel:{channel.id}",
                f"channel '{channel.id}' is the same {channel.platform} profile as '{seen[key]}' ({channel.handle})",
            )
        else:
            seen[key] = channel.id
