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


# Channels whose inbox is their reason to exist (the conversation calendar must cover them).
ANSWERING = ("customer_service", "communicating_with_clients")


@check(
    "channel.inbox_uncovered",
    "warning",
    title="Customer-service channel with nobody on some days",
    why="People write on every day of the week; on a day nobody covers, the worst answer — none — is the one they get.",
    fix="Add the days to the channel's responsible people (responsible: [{person, days, hours}]), or say the channel is not answered then.",
    form_fix="Under the channel's “Responsible”, add someone for the days shown.",
    examines=lambda ctx: [c for c in ctx.plan.channels if c.purpose in ANSWERING],
)
def inbox_uncovered(ctx: ReviewContext) -> Iterator[Issue]:
    week = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    open_days: set[str] = set(ctx.plan.support.hours) if ctx.plan.support.hours is not None else set(week)
    for channel in ctx.plan.channels:
        if channel.purpose not in ANSWERING:
            continue
        covered = {day for duty in channel.responsible for day in duty.days}
        # Only the days the inbox is open: a shop closed on Sunday is not a gap on Sunday.
        missing = [day for day in week if day in open_days and day not in covered]
        if missing:
            yield f"channel:{channel.id}", f"nobody answers '{channel.id}' on {', '.join(missing)}"


@check(
    "rule.offline_without_contact",
    "warning",
    title="Rule takes conversations offline with no support contact",
    why="Taking a conversation offline means offering a private way to talk; without one the offer is empty.",
    fix="Set support.email to the address offered, or write the rule's template to offer the platform's direct messages.",
    form_fix="Add the support e-mail to the plan file (support: email), or write the rule's reply to offer direct messages.",
    examines=lambda ctx: ctx.plan.response_plan,
)
def offline_without_contact(ctx: ReviewContext) -> Iterator[Issue]:
    if ctx.plan.support.email:
        return
    for rule in ctx.plan.response_plan:
        if rule.action == "take_offline" and not (rule.template and "{support_email}" not in rule.template):
            yield f"rule:{rule.id}", f"rule '{rule.id}' takes conversations offline, and the plan gives no support e-mail to offer"
