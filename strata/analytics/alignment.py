"""Alignment, measured: whether what was done in a period followed the plan.

- posts serving an objective: published posts (answers in conversations aside) that name an
  objective of the plan, or whose pillar serves one through a strategy;
- the promotional share per channel against the plan's mix;
- conversations answered within their SLA, of those whose target was decided in the period;
- posts that fit their channel's primary purpose: a promotional post does not fit a channel for
  customer service, educating or communicating with clients (people come there for help or to
  learn, not to be sold to); everything else fits. A channel without a purpose is not judged;
- objectives that align with a goal of the plan and are moving: their KPI is on track, or at
  risk but rising towards the target.

Every share is None when there is nothing to divide by: no posts is not 0 % aligned."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass

from django.db.models import QuerySet

from strata.accounts.models import Workspace
from strata.analytics.kpis.values import ObjectiveKpi
from strata.analytics.metrics.queries import zone_of
from strata.engagement.inbox import figures
from strata.engagement.inbox.models import Conversation
from strata.publishing.models import Variant
from strata.publishing.planlink import PlanLink
from strata.strategy.plan.schema import PlanDocument

NO_PROMOTION = frozenset({"customer_service", "educating", "communicating_with_clients"})


@dataclass(frozen=True)
class ChannelMix:
    channel_id: str
    platform: str
    posts: int
    promotional: int
    target: float  # the plan's promotional share

    @property
    def share(self) -> float | None:
        return self.promotional / self.posts if self.posts else None

    @property
    def drift(self) -> float | None:
        """How far above (positive) or below the target the promotional share is."""
        return None if self.share is None else self.share - self.target


@dataclass(frozen=True)
class Alignment:
    start: dt.date
    end: dt.date  # both included, the workspace's days
    posts: int
    serving: int
    fitting: int
    judged: int  # posts on channels with a purpose: what `fitting` is a share of
    mix: list[ChannelMix]
    conversations: int  # whose target was decided in the period
    within_sla: int
    objectives: int
    aligned_and_moving: int

    @property
    def serving_share(self) -> float | None:
        return _share(self.serving, self.posts)

    @property
    def fitting_share(self) -> float | None:
        return _share(self.fitting, self.judged)

    @property
    def sla_share(self) -> float | None:
        return _share(self.within_sla, self.conversations)

    @property
    def moving_share(self) -> float | None:
        return _share(self.aligned_and_moving, self.objectives)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        data["mix"] = [{**asdict(m), "share": _round(m.share), "drift": _round(m.drift)} for m in self.mix]
        for name in ("serving_share", "fitting_share", "sla_share", "moving_share"):
            data[name] = _round(getattr(self, name))
        return data


def published_content(workspace: Workspace, begin: dt.datetime, finish: dt.datetime) -> QuerySet[Variant]:
    """The plan's content published from `begin` to `finish`: variants that went out, of posts
    not deleted, answers in conversations aside (they are the inbox's, not the plan's)."""
    return Variant.objects.filter(
        post__workspace=workspace,
        post__is_reply=False,
        post__deleted_at=None,
        state=Variant.State.PUBLISHED,
        published_at__gte=begin,
        published_at__lt=finish,
    )


def measure(workspace: Workspace, plan: PlanDocument, kpis: list[ObjectiveKpi], *, start: dt.date, end: dt.date) -> Alignment:
    """Alignment of what was published and answered from `start` to `end` (both included)."""
    zone = zone_of(workspace)
    begin = dt.datetime.combine(start, dt.time(0), zone)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), zone)
    link = PlanLink(plan)
    published = published_content(workspace, begin, finish).values_list(
        "post_id", "channel_id", "platform", "post__kind", "post__pillar_id", "post__objective_id"
    )
    posts: dict[int, bool] = {}
    per_channel: Counter[str] = Counter()
    promotional: Counter[str] = Counter()
    platforms: dict[str, str] = {}
    fitting = judged = 0
    for post_id, channel_id, platform, kind, pillar_id, objective_id in published:
        posts[post_id] = link.serves_objective(objective_id, pillar_id)
        promo = link.kind_of(kind, pillar_id) == "promotional"
        per_channel[channel_id] += 1
        promotional[channel_id] += promo
        platforms[channel_id] = platform
        channel = link.channels.get(channel_id)
        if channel is not None and channel.purpose is not None:
            judged += 1
            fitting += not (promo and channel.purpose in NO_PROMOTION)
    target = plan.content.mix.promotional
    mix = [ChannelMix(c, platforms[c], per_channel[c], promotional[c], target) for c in sorted(per_channel)]
    decided = within = 0
    for c in Conversation.objects.filter(workspace=workspace, due_at__gte=begin, due_at__lt=finish).exclude(
        state=Conversation.State.IGNORED
    ):
        if c.due_at is not None and figures.owed(c) and c.due_at > finish and not c.breached:
            continue
        decided += 1
        within += not figures.late(c, min(finish, dt.datetime.now(dt.UTC)))
    goals = {g.id for g in plan.goals}
    aligned = [k for k in kpis if k.objective.aligns_with in goals]
    moving = sum(1 for k in aligned if k.status == "on_track" or (k.status == "at_risk" and _towards_target(k)))
    return Alignment(
        start=start,
        end=end,
        posts=len(posts),
        serving=sum(posts.values()),
        fitting=fitting,
        judged=judged,
        mix=mix,
        conversations=decided,
        within_sla=within,
        objectives=len(plan.objectives),
        aligned_and_moving=moving,
    )


def _towards_target(kpi: ObjectiveKpi) -> bool:
    slope, latest, target = kpi.forecast.per_day, kpi.latest, kpi.target
    if slope is None or latest is None or target is None:
        return False
    return (target - latest) * slope > 0


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
