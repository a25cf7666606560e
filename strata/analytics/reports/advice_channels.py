"""Advice: a channel not worth its effort.

Each channel with stated effort is weighed by what an hour of that effort brings: engagement
gained in the period per hour spent (effort_hours_per_week × the period's weeks), and reach,
its followers at the period's end per weekly hour. A channel far below the median of the
plan's other channels on both is not worth its effort: its cadence and effort are halved and
the hours freed move to the channel that does best per hour; one hopelessly below is retired
and all its hours move. A channel Strata cannot read, or read nothing of in the period, is
named as not judged: never guessed at; so is a channel for answering people (customer
service, communicating with clients), whose hours go to the inbox rather than to posts."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from strata.accounts.models import Workspace
from strata.analytics.reports import advice_data
from strata.analytics.reports.advice_base import Recommendation, bounds, hours, number, posts_a_week, revised
from strata.analytics.reports.period import Period
from strata.engagement.inbox.duty import ANSWERING
from strata.platforms.registry import metrics_reader_for
from strata.strategy.plan.schema import Channel, PlanDocument
from strata.web.templatetags.words import label

# Below a third of what the others' median hour brings, on engagement and on reach alike, a
# channel returns so much less that halving it costs little and the hours do more elsewhere.
# Both must be low: a quiet channel with a large audience is still reaching people.
FAR_BELOW = 1 / 3
# Below a tenth, halving does not save it: the hours are better spent on another channel.
RETIRE_BELOW = 1 / 10
# Fewer days say more about which weekday it was than about the channel: posting runs in weeks.
MIN_DAYS = 14


@dataclass(frozen=True)
class Weighed:
    channel: Channel
    engagement: int
    followers: int | None
    hours: float  # in the period

    @property
    def engagement_per_hour(self) -> float:
        return self.engagement / self.hours

    @property
    def reach_per_hour(self) -> float | None:
        """Followers per weekly hour: reach is a level, not a flow, so it is not spread over the period."""
        weekly = self.channel.effort_hours_per_week or 0
        return None if self.followers is None or not weekly else self.followers / weekly


def channel_effort(workspace: Workspace, plan: PlanDocument, period: Period) -> list[Recommendation]:
    if period.days < MIN_DAYS:
        return []
    begin, finish = bounds(workspace, period)
    engagement = advice_data.engagement_by_channel(workspace, begin, finish)
    followers = advice_data.followers_at_end(workspace, period)
    weeks = period.days / 7
    weighed: list[Weighed] = []
    unjudged: dict[str, str] = {}
    for channel in plan.channels:
        if not channel.effort_hours_per_week:
            continue  # no effort stated: nothing to weigh it against
        if channel.purpose in ANSWERING:
            # Its hours go to answering the inbox, which the SLA advice weighs; engagement on its
            # posts is not what they buy.
            unjudged[channel.id] = "its hours go to answering the inbox"
        elif metrics_reader_for(channel.platform) is None:
            unjudged[channel.id] = f"Strata reads no numbers on {label(channel.platform)}"
        elif channel.id not in engagement:
            unjudged[channel.id] = "none of its posts was read in the period"
        else:
            weighed.append(
                Weighed(channel, engagement[channel.id].engagement, followers.get(channel.id), channel.effort_hours_per_week * weeks)
            )
    found = []
    for this in weighed:
        others = [w for w in weighed if w is not this]
        advice = _judge(plan, this, others, unjudged)
        if advice is not None:
            found.append(advice)
    return found


def _judge(plan: PlanDocument, this: Weighed, others: list[Weighed], unjudged: dict[str, str]) -> Recommendation | None:
    if not others:
        return None
    engagement_median = statistics.median(o.engagement_per_hour for o in others)
    if engagement_median <= 0:
        return None  # the others bring nothing either: no yardstick
    ratios = [this.engagement_per_hour / engagement_median]
    reaches = [r for o in others if (r := o.reach_per_hour) is not None]
    reach_median = statistics.median(reaches) if reaches else None
    if this.reach_per_hour is not None and reach_median:
        ratios.append(this.reach_per_hour / reach_median)
    ratio = max(ratios)  # far below on every measure, or not at all
    if ratio >= FAR_BELOW:
        return None
    channel = this.channel
    weekly = channel.effort_hours_per_week or 0
    best = max(others, key=lambda o: o.engagement_per_hour).channel
    retire = ratio < RETIRE_BELOW
    # "a median" of one channel is that channel's number: say so plainly.
    median_of = "" if len(others) == 1 else "a median of "
    where = (
        f"on {others[0].channel.id}" if len(others) == 1 else f"on the plan's other channels ({', '.join(o.channel.id for o in others)})"
    )
    evidence = (
        f"{channel.id} took {hours(this.hours)} in the period ({hours(weekly)} a week) and gained "
        f"{number(this.engagement)} likes, reposts, replies and quotes: {number(this.engagement_per_hour)} an hour, against "
        f"{median_of}{number(engagement_median)} an hour {where}."
    )
    if this.reach_per_hour is not None and reach_median:
        evidence += (
            f" Its {number(this.followers or 0)} followers are {number(this.reach_per_hour)} per weekly hour, "
            f"against {median_of}{number(reach_median)}."
        )
    elif this.followers is None:
        evidence += " Its followers were not read in the period, so engagement alone was weighed."
    if unjudged:
        evidence += " Not judged: " + "; ".join(f"{c} ({why})" for c, why in unjudged.items()) + "."
    numbers = {
        "channel": channel.id,
        "effort_hours_per_week": weekly,
        "hours_in_period": round(this.hours, 1),
        "engagement": this.engagement,
        "engagement_per_hour": round(this.engagement_per_hour, 2),
        "others_median_engagement_per_hour": round(engagement_median, 2),
        "followers": this.followers,
        "reach_per_weekly_hour": None if this.reach_per_hour is None else round(this.reach_per_hour, 1),
        "others_median_reach_per_weekly_hour": None if reach_median is None else round(reach_median, 1),
        "ratio": round(ratio, 3),
        "best_channel": best.id,
        "not_judged": unjudged,
    }
    if retire:
        plan_change, change = _retire(plan, channel, best)
        title = f"{channel.id} brings under a tenth of what an hour brings elsewhere"
    else:
        plan_change, change = _halve(plan, channel, best)
        title = f"{channel.id} is not worth its {hours(weekly)} a week"
    return Recommendation(
        key=f"channel-effort:{channel.id}",
        kind="channel_effort",
        title=title,
        evidence=evidence,
        numbers=numbers,
        change=change,
        plan=plan_change,
    )


def _halve(plan: PlanDocument, channel: Channel, best: Channel) -> tuple[PlanDocument | None, str]:
    weekly = channel.effort_hours_per_week or 0
    freed = weekly / 2
    cadence = channel.cadence_per_week

    def edit(copy: PlanDocument) -> None:
        for c in copy.channels:
            if c.id == channel.id:
                c.effort_hours_per_week = weekly - freed
                if c.cadence_per_week is not None:
                    c.cadence_per_week = c.cadence_per_week / 2
            elif c.id == best.id:
                c.effort_hours_per_week = min(168.0, (c.effort_hours_per_week or 0) + freed)

    cadence_words = f", {posts_a_week(cadence)} to {posts_a_week(cadence / 2)}" if cadence is not None else ""
    change = (
        f"Halve {channel.id}: effort from {hours(weekly)} to {hours(weekly - freed)} a week{cadence_words}; "
        f"move the {hours(freed)} to {best.id}, which brings the most an hour."
    )
    return revised(plan, edit), change


def _retire(plan: PlanDocument, channel: Channel, best: Channel) -> tuple[PlanDocument | None, str]:
    weekly = channel.effort_hours_per_week or 0

    def move_hours(copy: PlanDocument) -> None:
        for c in copy.channels:
            if c.id == best.id:
                c.effort_hours_per_week = min(168.0, (c.effort_hours_per_week or 0) + weekly)

    def remove(copy: PlanDocument) -> None:
        copy.channels = [c for c in copy.channels if c.id != channel.id]
        move_hours(copy)

    removed = revised(plan, remove)
    if removed is not None:
        return removed, f"Retire {channel.id}: remove it from the plan and move its {hours(weekly)} a week to {best.id}."

    # Something else in the plan names it (a response rule): keep it, silent, for the strategist to untangle.
    def silence(copy: PlanDocument) -> None:
        for c in copy.channels:
            if c.id == channel.id:
                c.effort_hours_per_week, c.cadence_per_week = 0, 0
        move_hours(copy)

    return revised(plan, silence), (
        f"Retire {channel.id}: no more posts and no effort there, its {hours(weekly)} a week moved to {best.id} "
        f"(it stays in the plan because other parts of the plan name it)."
    )
