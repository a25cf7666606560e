"""Audience discovery in the strategy review: where the plan says an audience is, and where
listening finds it talking. These read what was heard, so they run for stored workspaces."""

from __future__ import annotations

from collections.abc import Iterator

from strata.engagement.discovery import WEEKS, authors_per_week, listened_platforms
from strata.strategy.review.registry import Issue, ReviewContext, check

# An estimate this large on a platform where listening hears fewer than QUIET people a week is
# worth a second look; TALKING people a week where the plan has no channel is worth a first one.
SIZEABLE = 100
QUIET = 2.0
TALKING = 10.0


def _tied(ctx: ReviewContext) -> dict[str, list[str]]:
    """Audience id → the listening queries tied to it."""
    tied: dict[str, list[str]] = {}
    for query in ctx.plan.listening:
        if query.audience:
            tied.setdefault(query.audience, []).append(query.id)
    return tied


def _heard(ctx: ReviewContext) -> dict[str, dict[str, float]]:
    """Audience id → platform → distinct people heard a week."""
    if "discovery" not in ctx.cache:
        ctx.cache["discovery"] = {audience: authors_per_week(ctx.workspace_id or 0, queries) for audience, queries in _tied(ctx).items()}
    return ctx.cache["discovery"]  # type: ignore[no-any-return]


def _listening_for(queries: list[str]) -> str:
    return "listening for " + ", ".join(f"'{q}'" for q in queries)


@check(
    "audience.not_heard_where_expected",
    "warning",
    title="Audience the plan places where listening hears almost no one",
    why="A channel is worth its effort only where its audience is; an estimate nobody checked is a guess.",
    fix="Check the estimate: lower the audience's presence on that platform, or widen its listening queries.",
    examines=lambda ctx: list(_tied(ctx)),
    needs_workspace=True,
)
def not_heard_where_expected(ctx: ReviewContext) -> Iterator[Issue]:
    tied, heard, listened = _tied(ctx), _heard(ctx), listened_platforms(ctx.workspace_id or 0)
    for audience in ctx.plan.audiences:
        if audience.id not in tied:
            continue
        for platform, estimate in sorted(audience.presence.items()):
            found = heard[audience.id].get(platform, 0.0)
            if platform in listened and estimate >= SIZEABLE and found < QUIET:
                yield (
                    f"audience:{audience.id}",
                    f"the plan estimates {estimate:,} of '{audience.id}' on {platform}; {_listening_for(tied[audience.id])} heard "
                    f"{found:.1f} people a week there over the last {WEEKS} weeks",
                )


@check(
    "audience.talking_without_channel",
    "info",
    title="Audience talking on a platform where the plan has no channel for it",
    why="Listen first, then act: where the audience already talks is where a channel pays off.",
    fix="Consider a channel on that platform for this audience, or say in the plan why not.",
    examines=lambda ctx: list(_tied(ctx)),
    needs_workspace=True,
)
def talking_without_channel(ctx: ReviewContext) -> Iterator[Issue]:
    served = {(c.platform, audience) for c in ctx.plan.channels for audience in c.audiences}
    tied = _tied(ctx)
    for audience_id, platforms in sorted(_heard(ctx).items()):
        for platform, found in sorted(platforms.items()):
            if found >= TALKING and (platform, audience_id) not in served:
                yield (
                    f"audience:{audience_id}",
                    f"{_listening_for(tied[audience_id])} hears {found:.0f} people of '{audience_id}' a week on {platform}, "
                    "where the plan has no channel for them",
                )
