"""Content pillars and the social-to-promotional mix."""

from __future__ import annotations

from collections.abc import Iterator

from strata.strategy.review.registry import Issue, ReviewContext, check

MAX_PROMOTIONAL = 0.2


@check(
    "content.no_pillars",
    "warning",
    title="No content pillars",
    why="Pillars turn strategies into themes the team can write about week after week.",
    fix="Add content pillars, each social or promotional and serving a strategy.",
)
def no_pillars(ctx: ReviewContext) -> Iterator[Issue]:
    if not ctx.plan.content.pillars:
        yield "content", "the plan has no content pillars"


@check(
    "pillar.serves_no_strategy",
    "warning",
    title="Pillar that serves no strategy",
    why="Content that serves no strategy is a tactic without strategy, however good it looks.",
    fix="List the strategies this pillar serves, or retire it.",
    examines=lambda ctx: ctx.plan.content.pillars,
)
def serves_no_strategy(ctx: ReviewContext) -> Iterator[Issue]:
    for pillar in ctx.plan.content.pillars:
        if not pillar.serves:
            yield f"pillar:{pillar.id}", f"pillar '{pillar.id}' serves no strategy"


@check(
    "content.mix_not_whole",
    "error",
    title="Mix target that does not add up",
    why="The social and promotional shares split one whole; if they do not add up, the target means nothing.",
    fix="Make content.mix.social + content.mix.promotional equal 1 (for example 0.8 and 0.2).",
    form_fix="Make the social share and the promotional share add up to 100 % (for example 80 % and 20 %).",
)
def mix_not_whole(ctx: ReviewContext) -> Iterator[Issue]:
    mix = ctx.plan.content.mix
    if abs(mix.social + mix.promotional - 1) > 1e-6:
        yield "content.mix", f"social {mix.social:g} + promotional {mix.promotional:g} = {mix.social + mix.promotional:g}, not 1"


@check(
    "content.mix_too_promotional",
    "warning",
    title="More promotion than 20 %",
    why="Followers came for the conversation; past one post in five that sells, they stop listening.",
    fix="Lower content.mix.promotional to 0.2 or less.",
    form_fix="Lower the promotional share to 20 % or less.",
)
def mix_too_promotional(ctx: ReviewContext) -> Iterator[Issue]:
    if ctx.plan.content.mix.promotional > MAX_PROMOTIONAL + 1e-9:
        yield (
            "content.mix",
            f"the target is {ctx.plan.content.mix.promotional * 100:g} % promotional, above the 20 % that keeps an audience",
        )


@check(
    "content.no_social_pillar",
    "warning",
    title="Only promotional pillars",
    why="With nothing but promotion to write about, the 80 % social share cannot be met.",
    fix="Add a social pillar: stories, advice, community.",
)
def no_social_pillar(ctx: ReviewContext) -> Iterator[Issue]:
    pillars = ctx.plan.content.pillars
    if pillars and all(p.kind == "promotional" for p in pillars):
        yield "content", "every content pillar is promotional"
