"""Advice: a pillar that does not move its objective.

A pillar that serves an objective (through a strategy) is there to move it. When its posts of
the period gain far less per post than the other pillars' posts, in engagement and in clicks on
their short links alike, it is not doing that job. Advice only: whether to rethink the pillar's
content, or to stop it serving that objective, is a strategist's judgement the numbers cannot
make (a support pillar may rightly be quiet)."""

from __future__ import annotations

import statistics

from strata.accounts.models import Workspace
from strata.analytics.reports import advice_data
from strata.analytics.reports.advice_base import Recommendation, bounds, number
from strata.analytics.reports.period import Period
from strata.publishing.planlink import PlanLink
from strata.strategy.plan.schema import PlanDocument

# The same yardstick as a channel's effort: under a third of the others' median per post.
FAR_BELOW = 1 / 3
# A pillar judged on fewer posts is judged on luck.
MIN_POSTS = 3


def pillar_idle(workspace: Workspace, plan: PlanDocument, period: Period) -> list[Recommendation]:
    begin, finish = bounds(workspace, period)
    results = {p: r for p, r in advice_data.by_pillar(workspace, period, begin, finish).items() if r.posts >= MIN_POSTS}
    serves = PlanLink(plan).pillar_objectives
    names = {p.id: p.name for p in plan.content.pillars}
    advice = []
    for pillar_id, result in sorted(results.items()):
        objectives = sorted(serves.get(pillar_id, set()))
        others = [r for p, r in results.items() if p != pillar_id]
        if not objectives or not others:
            continue
        engagement = result.engagement / result.posts
        median = statistics.median(r.engagement / r.posts for r in others)
        if median <= 0 or engagement >= FAR_BELOW * median:
            continue
        clicks = result.clicks / result.posts
        click_median = statistics.median(r.clicks / r.posts for r in others)
        if click_median > 0 and clicks >= FAR_BELOW * click_median:
            continue  # quiet, but it sends people on: it does move something
        evidence = (
            f"{result.posts} posts of “{names.get(pillar_id, pillar_id)}” gained {number(engagement)} likes, reposts, replies "
            f"and quotes each, against a median of {number(median)} a post for the other pillars"
        )
        evidence += (
            f"; {number(clicks)} clicks a post against {number(click_median)}." if click_median > 0 else "; none of the pillars had clicks."
        )
        advice.append(
            Recommendation(
                key=f"pillar-idle:{pillar_id}",
                kind="pillar_idle",
                title=f"The pillar {pillar_id} does not move {', '.join(objectives)}",
                evidence=evidence,
                numbers={
                    "pillar": pillar_id,
                    "objectives": objectives,
                    "posts": result.posts,
                    "engagement_per_post": round(engagement, 2),
                    "others_median_engagement_per_post": round(median, 2),
                    "clicks_per_post": round(clicks, 2),
                    "others_median_clicks_per_post": round(click_median, 2),
                },
                change=f"No plan change: rethink what {pillar_id} posts, or stop it serving {', '.join(objectives)}.",
            )
        )
    return advice
