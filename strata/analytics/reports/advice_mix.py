"""Advice: the content mix drifting towards promotion.

One channel whose promotional share runs above the plan's is a channel to correct: advice, no
plan change (the plan is right, the posting is not). When every channel judged drifts above
it, the team keeps a different mix than the plan says: the plan change proposes the mix the
team actually keeps, for the strategist to accept or to answer by correcting the posting."""

from __future__ import annotations

from strata.analytics.alignment import Alignment, ChannelMix
from strata.analytics.reports.advice_base import Recommendation, percent, revised
from strata.strategy.plan.schema import PlanDocument

# More than five percentage points above target: below that, a month's share moves by one or
# two posts either way and is noise.
DRIFT = 0.05
# A share of fewer posts says little: at 8 posts one post is 12 points.
MIN_POSTS = 8
# The proposed mix in steps of 5 %: a plan states a target, not a measurement to three places.
STEP = 0.05


def mix_drift(plan: PlanDocument, alignment: Alignment) -> list[Recommendation]:
    judged = [m for m in alignment.mix if m.posts >= MIN_POSTS]
    drifting = [m for m in judged if m.drift is not None and m.drift > DRIFT]
    if not drifting:
        return []
    target = plan.content.mix.promotional
    if len(judged) >= 2 and len(drifting) == len(judged):
        return [_whole_team(plan, drifting, target)]
    return [_one_channel(m, target) for m in drifting]


def _evidence(m: ChannelMix) -> str:
    return f"{m.channel_id}: {m.promotional} of {m.posts} posts promotional ({percent(m.share or 0)})"


def _one_channel(m: ChannelMix, target: float) -> Recommendation:
    share = m.share or 0
    return Recommendation(
        key=f"mix-drift:{m.channel_id}",
        kind="mix_drift",
        title=f"{m.channel_id} is more promotional than the plan's mix",
        evidence=f"{_evidence(m)}, against the plan's {percent(target)}: {(share - target) * 100:.0f} points above.",
        numbers={"channel": m.channel_id, "posts": m.posts, "promotional": m.promotional, "share": round(share, 3), "target": target},
        change=f"No plan change: plan fewer promotional posts on {m.channel_id}, back to about {percent(target)}.",
    )


def _whole_team(plan: PlanDocument, drifting: list[ChannelMix], target: float) -> Recommendation:
    posts = sum(m.posts for m in drifting)
    promotional = sum(m.promotional for m in drifting)
    kept = min(1.0, round(round(promotional / posts / STEP) * STEP, 2))

    def edit(copy: PlanDocument) -> None:
        copy.content.mix.promotional = kept
        copy.content.mix.social = round(1 - kept, 2)

    return Recommendation(
        key="mix-drift:all",
        kind="mix_drift",
        title="Every channel is more promotional than the plan's mix",
        evidence=(
            "; ".join(_evidence(m) for m in drifting)
            + f". Together {promotional} of {posts} posts ({percent(promotional / posts)}), against the plan's {percent(target)}."
        ),
        numbers={
            "target": target,
            "share": round(promotional / posts, 3),
            "channels": {m.channel_id: {"posts": m.posts, "promotional": m.promotional} for m in drifting},
        },
        change=(
            f"Set the mix to the one the team keeps, {percent(kept)} promotional and {percent(1 - kept)} social; "
            f"or keep {percent(target)} and decline this, and correct the posting instead."
        ),
        plan=revised(plan, edit),
    )
