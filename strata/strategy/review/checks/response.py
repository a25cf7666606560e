"""The response plan: always respond, negative comments first, each within a stated time."""

from __future__ import annotations

from collections.abc import Iterator

from strata.strategy.review.registry import Issue, ReviewContext, check


@check(
    "response_plan.missing",
    "error",
    title="No response plan",
    why="Social media is a conversation; without a plan, replies depend on who happens to look.",
    fix="Add response_plan rules: when (sentiment, intent, channel, keywords), what to do, who, and within how long.",
    form_fix="Add rules to the response plan: when a message… (sentiment, intent, channel, keywords), what to do, who, and within how long.",
)
def missing(ctx: ReviewContext) -> Iterator[Issue]:
    if not ctx.plan.response_plan:
        yield "response_plan", "the plan has no response rules"


@check(
    "response_plan.no_negative_rule",
    "error",
    title="No rule for negative comments",
    why="Negative comments come first: unanswered, they grow in public.",
    fix="Add a rule for sentiment: negative (or intent: complaint), with a short SLA.",
    form_fix="Add a rule for negative messages (sentiment negative, or intent complaint), with a short SLA.",
)
def no_negative_rule(ctx: ReviewContext) -> Iterator[Issue]:
    rules = ctx.plan.response_plan
    if rules and not any(r.when.sentiment == "negative" or r.when.intent == "complaint" for r in rules):
        yield "response_plan", "no rule handles negative comments or complaints"


@check(
    "rule.no_sla",
    "warning",
    title="Rule with no SLA",
    why="A reply with no due time is a reply that can wait forever.",
    fix="Set within: how soon the reply is due (30m, 4h, 1d).",
    form_fix="Fill in “Within (SLA)”: how soon the reply is due (30m, 4h, 1d).",
    examines=lambda ctx: ctx.plan.response_plan,
)
def no_sla(ctx: ReviewContext) -> Iterator[Issue]:
    for rule in ctx.plan.response_plan:
        if rule.within is None and rule.action != "ignore":
            yield f"rule:{rule.id}", f"rule '{rule.id}' has no SLA"


@check(
    "rule.no_assignee",
    "info",
    title="Rule with nobody assigned",
    why="Messages that match a rule nobody owns wait for whoever notices them.",
    fix="Set assign_to to the person who answers these messages.",
    form_fix="Choose under “Assign to” the person who answers these messages.",
    examines=lambda ctx: ctx.plan.response_plan,
)
def no_assignee(ctx: ReviewContext) -> Iterator[Issue]:
    for rule in ctx.plan.response_plan:
        if rule.assign_to is None and rule.action != "ignore":
            yield f"rule:{rule.id}", f"nobody is assigned to rule '{rule.id}'"
