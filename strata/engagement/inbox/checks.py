"""The inbox in the strategy review: whether the response plan holds in practice. These read
the workspace's conversations of the last 30 days (inbox/figures.py), so they run for stored
workspaces."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils.timezone import now

from strata.engagement.inbox import figures
from strata.engagement.inbox.models import Conversation
from strata.strategy.review.registry import Issue, ReviewContext, check

DAYS = 30
ENOUGH = 5  # conversations on a channel before its share answered in time means something
IN_TIME = 0.9  # the share below which a channel's inbox is named


def _recent(ctx: ReviewContext) -> list[Conversation]:
    if "inbox" not in ctx.cache:
        ctx.cache["inbox"] = figures.recent(ctx.workspace_id or 0, DAYS)
    return ctx.cache["inbox"]  # type: ignore[no-any-return]


def _by_channel(ctx: ReviewContext) -> list[figures.Figures]:
    return [f for f in figures.sla_figures(ctx.workspace_id or 0, days=DAYS) if f.by == "channel"]


def _duration(minutes: float | None) -> str:
    if minutes is None:
        return "none answered yet"
    hours, rest = divmod(round(minutes), 60)
    return f"{hours} h {rest} min" if hours else f"{rest} min"


@check(
    "channel.inbox_late",
    "warning",
    title="Channel whose inbox misses its answer times",
    why="The plan promises an answer within a time; a promise kept nine times in ten is the least a customer expects.",
    fix="Give the channel more people or hours on the conversation calendar (channels[].responsible), or a target the team can keep.",
    examines=lambda ctx: len(_by_channel(ctx)),
    needs_workspace=True,
)
def inbox_late(ctx: ReviewContext) -> Iterator[Issue]:
    for f in _by_channel(ctx):
        if f.conversations >= ENOUGH and f.within_sla is not None and f.within_sla < IN_TIME:
            yield (
                f"channel:{f.key}",
                f"'{f.key}' answered {100 * f.within_sla:.0f} % of its conversations in time over the last {DAYS} days "
                f"({f.conversations} conversations, {f.answered} answered); median first answer: {_duration(f.median_first_minutes)}",
            )


@check(
    "inbox.negative_unanswered",
    "error",
    title="Negative conversations left unanswered past their time",
    why="What does not reflect well on the brand needs an answer most; the worst answer is none.",
    fix="Answer them from the inbox, or take them offline; then look at who covers the channel.",
    needs_workspace=True,
)
def negative_unanswered(ctx: ReviewContext) -> Iterator[Issue]:
    at = now()
    by_channel: dict[str, int] = {}
    for c in _recent(ctx):
        if c.sentiment == "negative" and c.state != Conversation.State.OFFLINE and figures.owed(c) and figures.late(c, at):
            by_channel[c.channel_id] = by_channel.get(c.channel_id, 0) + 1
    for channel, count in sorted(by_channel.items()):
        verb = "waits" if count == 1 else "wait"
        yield f"channel:{channel}", f"{count} negative conversation{'s' if count != 1 else ''} on '{channel}' {verb} past the answer time"


@check(
    "rule.never_matched",
    "info",
    title="Response rule that matched nothing in 30 days",
    why="A rule nothing matches is either a case that does not happen or a `when` that is written wrong.",
    fix="Check the rule's when: (sentiment, intent, channel, topic, keywords) against what the inbox receives, or remove it.",
    examines=lambda ctx: ctx.plan.response_plan,
    needs_workspace=True,
)
def never_matched(ctx: ReviewContext) -> Iterator[Issue]:
    recent = _recent(ctx)
    if not recent:
        return  # nothing came in: that says nothing of the rules
    since = now() - dt.timedelta(days=DAYS)
    used = {c.rule_id for c in recent} | set(
        Conversation.objects.filter(
            workspace_id=ctx.workspace_id or 0, state=Conversation.State.IGNORED, started_at__gte=since
        ).values_list("rule_id", flat=True)
    )
    for rule in ctx.plan.response_plan:
        if rule.id not in used:
            yield f"rule:{rule.id}", f"rule '{rule.id}' matched none of the {len(recent)} conversations of the last {DAYS} days"
