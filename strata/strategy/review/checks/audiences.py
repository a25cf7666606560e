"""Audiences: who we want to socialize with, what they should do, and why they would."""

from __future__ import annotations

from collections.abc import Iterator

from strata.strategy.review.registry import Issue, ReviewContext, check


@check(
    "plan.no_audiences",
    "error",
    title="No audiences",
    why="Listen first, then act: channels and content are chosen for the people you want to reach.",
    fix="Describe the audiences you want to socialize with, and where they are.",
)
def no_audiences(ctx: ReviewContext) -> Iterator[Issue]:
    if not ctx.plan.audiences:
        yield "audiences", "the plan names no audience"


@check(
    "audience.no_presence",
    "warning",
    title="Audience with no known presence",
    why="Without knowing where an audience is, channels are chosen by habit instead of by evidence.",
    fix="Under presence, estimate how many of them each platform reaches.",
    form_fix="Under “Where they are”, estimate how many of them each platform reaches.",
    examines=lambda ctx: ctx.plan.audiences,
)
def no_presence(ctx: ReviewContext) -> Iterator[Issue]:
    for audience in ctx.plan.audiences:
        if not any(audience.presence.values()):
            yield f"audience:{audience.id}", f"nobody has written down where audience '{audience.id}' is"


@check(
    "audience.no_desired_action",
    "warning",
    title="Audience with no desired action",
    why="If you do not know what you want people to do, you cannot ask them to do it or count whether they did.",
    fix="Set desired_action: share, promote, like, buy, ask…",
    form_fix="Fill in “What they should do”: share, promote, like, buy, ask…",
    examines=lambda ctx: ctx.plan.audiences,
)
def no_desired_action(ctx: ReviewContext) -> Iterator[Issue]:
    for audience in ctx.plan.audiences:
        if not audience.desired_action:
            yield f"audience:{audience.id}", f"the plan does not say what audience '{audience.id}' should do"


@check(
    "audience.no_motivation",
    "warning",
    title="Audience with nothing in it for them",
    why="People act for their own reasons; without one, the desired action will not happen.",
    fix="Set motivation: what is in it for them.",
    form_fix="Fill in “What is in it for them”.",
    examines=lambda ctx: ctx.plan.audiences,
)
def no_motivation(ctx: ReviewContext) -> Iterator[Issue]:
    for audience in ctx.plan.audiences:
        if not audience.motivation:
            yield f"audience:{audience.id}", f"the plan does not say what is in it for audience '{audience.id}'"


@check(
    "audience.unreached",
    "warning",
    title="Audience no channel reaches",
    why="An audience the plan names but no channel serves is a promise nobody keeps.",
    fix="Add the audience to a channel where it is present, or remove it.",
    examines=lambda ctx: ctx.plan.audiences,
)
def unreached(ctx: ReviewContext) -> Iterator[Issue]:
    reached = {a for c in ctx.plan.channels for a in c.audiences}
    for audience in ctx.plan.audiences:
        if audience.id not in reached:
            yield f"audience:{audience.id}", f"no channel reaches audience '{audience.id}'"
