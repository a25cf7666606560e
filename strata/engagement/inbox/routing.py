"""Which rule of the response plan takes an item, who answers it and by when.

Rules are tried in the plan's order and the first whose `when` holds decides. What no rule
covers goes to the channel's person on duty with the workspace's default target: nothing falls
through, and the review names rules that never match."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from strata.engagement.inbox import duty
from strata.strategy.plan.schema import PlanDocument, Rule


@dataclass(frozen=True)
class Said:
    """What routing needs to know of an item."""

    channel_id: str
    text: str
    sentiment: str
    intents: tuple[str, ...]
    topics: tuple[str, ...]  # of the listening queries it matched


@dataclass(frozen=True)
class Route:
    rule: Rule | None
    action: str  # reply, take_offline, thank_and_ask, escalate, ignore
    assignee: str  # a person id, or "" when the plan names nobody at all
    within: str  # the first answer's target as the plan writes it: 30m, 4h, 2d (in business time)
    next_within: str  # each later answer's


def matches(rule: Rule, said: Said) -> bool:
    when = rule.when
    if when.sentiment and when.sentiment != said.sentiment:
        return False
    if when.intent and when.intent not in said.intents:
        return False
    if when.channel and when.channel != said.channel_id:
        return False
    if when.topic and when.topic not in said.topics:
        return False
    return not when.keywords or any(_has_word(said.text, keyword) for keyword in when.keywords)


def _has_word(text: str, keyword: str) -> bool:
    # Whole words, any case: "refund" finds "Refund?" but not "refunded" — a keyword is a word
    # or phrase as written, like the listening queries' plain words.
    return re.search(r"(?<!\w)" + re.escape(keyword.casefold()) + r"(?!\w)", text.casefold()) is not None


def route(plan: PlanDocument, said: Said, at: dt.datetime) -> Route:
    rule = next((r for r in plan.response_plan if matches(r, said)), None)
    within = rule.within if rule and rule.within else plan.support.default_within
    next_within = rule.next_within if rule and rule.next_within else within
    assignee = (rule.assign_to if rule else None) or _on_duty(plan, said.channel_id, at) or _fallback(plan)
    if rule is not None and rule.action == "escalate" and rule.escalate_to:
        assignee = rule.escalate_to
    return Route(rule, rule.action if rule else "reply", assignee or "", within, next_within)


def _on_duty(plan: PlanDocument, channel_id: str, at: dt.datetime) -> str | None:
    channel = next((c for c in plan.channels if c.id == channel_id), None)
    if channel is None:
        return None
    return duty.on_duty(channel, at.astimezone(ZoneInfo(plan.workspace.timezone)))


def _fallback(plan: PlanDocument) -> str | None:
    # A channel with nobody responsible: the person the plan says is told of late answers, then
    # the ringleader who owns the brand's voice.
    return plan.support.escalate_to or plan.governance.ringleader
