"""Advice: an audience the listening data says is elsewhere.

Listening queries that name an audience (`listening[].audience`) hear that audience talk. When
most of what they heard in the period was on a platform where none of the plan's channels is
for that audience, the audience is elsewhere: the plan change adds the audience to a channel
the plan already has on that platform; with no channel there, the advice is to consider one
(no plan change: a new channel is a decision with costs the numbers do not know)."""

from __future__ import annotations

from collections import Counter, defaultdict

from strata.accounts.models import Workspace
from strata.analytics.reports.advice_base import Recommendation, bounds, number, percent, revised
from strata.analytics.reports.period import Period
from strata.engagement.models import HeardItem
from strata.strategy.plan.schema import PlanDocument
from strata.web.templatetags.words import label

# Most of it: over half of what the audience's queries heard came from one platform.
MAIN_SHARE = 0.5
# Fewer items heard say where a few people talk, not where an audience is.
MIN_HEARD = 20


def audience_elsewhere(workspace: Workspace, plan: PlanDocument, period: Period) -> list[Recommendation]:
    audience_of = {q.id: q.audience for q in plan.listening if q.audience}
    if not audience_of:
        return []
    begin, finish = bounds(workspace, period)
    heard: dict[str, Counter[str]] = defaultdict(Counter)
    items = HeardItem.objects.filter(workspace=workspace, created_at__gte=begin, created_at__lt=finish, deleted_at=None).exclude(
        matched_key=""
    )
    for platform, matched in items.values_list("platform", "matched_queries"):
        for audience_id in {audience_of[q] for q in matched or [] if q in audience_of}:
            heard[audience_id][platform] += 1
    advice = []
    for audience in plan.audiences:
        counts = heard.get(audience.id)
        if not counts:
            continue
        total = sum(counts.values())
        platform, most = counts.most_common(1)[0]
        served = [c for c in plan.channels if c.platform == platform and audience.id in c.audiences]
        if total < MIN_HEARD or most / total <= MAIN_SHARE or served:
            continue
        advice.append(_advise(plan, audience.id, platform, most, total, dict(counts)))
    return advice


def _advise(plan: PlanDocument, audience_id: str, platform: str, most: int, total: int, counts: dict[str, int]) -> Recommendation:
    where = label(platform)
    channels = [c.id for c in plan.channels if c.platform == platform]
    presence = next((a.presence for a in plan.audiences if a.id == audience_id), {})
    evidence = f"Of {number(total)} items the listening queries for {audience_id} heard in the period, {number(most)} ({percent(most / total)}) were on {where}"
    evidence += (
        "; " + ", ".join(f"{label(p)} {number(n)}" for p, n in sorted(counts.items(), key=lambda i: -i[1]) if p != platform)
        if len(counts) > 1
        else ""
    )
    evidence += "."
    if platform in presence:
        evidence += f" The plan counts {number(presence[platform])} of them there."  # type: ignore[index]
    mine = [c.id for c in plan.channels if audience_id in c.audiences]
    evidence += f" The plan reaches {audience_id} on {', '.join(mine)}." if mine else f" No channel of the plan is for {audience_id}."
    numbers = {"audience": audience_id, "platform": platform, "heard": total, "on_platform": most, "by_platform": counts}
    key = f"audience-elsewhere:{audience_id}:{platform}"
    title = f"{audience_id} is mostly on {where}, where no channel is for them"
    if not channels:
        return Recommendation(
            key=key,
            kind="audience_elsewhere",
            title=title,
            evidence=evidence + f" The plan has no channel on {where}.",
            numbers=numbers,
            change=f"No plan change: consider a channel on {where} for {audience_id}.",
        )
    target = channels[0]

    def add(copy: PlanDocument) -> None:
        channel = next(c for c in copy.channels if c.id == target)
        channel.audiences = [*channel.audiences, audience_id]

    return Recommendation(
        key=key,
        kind="audience_elsewhere",
        title=title,
        evidence=evidence,
        numbers=numbers,
        change=f"Add {audience_id} to the audiences of {target}, the plan's channel on {where}.",
        plan=revised(plan, add),
    )
