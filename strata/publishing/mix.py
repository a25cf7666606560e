"""The 80/20 mix: the promotional share of each channel's posts over a rolling window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from strata.accounts.actions import Conflict
from strata.publishing.models import Post, Variant
from strata.publishing.planlink import PlanLink

WINDOW = dt.timedelta(days=30)
LIVE = (Variant.State.SCHEDULED, Variant.State.PUBLISHING, Variant.State.PUBLISHED, Variant.State.UNCONFIRMED)


@dataclass(frozen=True)
class ChannelMix:
    channel_id: str
    promotional: int
    total: int
    target: float

    @property
    def share(self) -> float:
        return self.promotional / self.total if self.total else 0.0

    @property
    def over(self) -> bool:
        return self.total > 0 and self.share > self.target + 1e-9


def channel_mix(workspace_id: int, channel_id: str, around: dt.datetime, link: PlanLink, extra: Post | None = None) -> ChannelMix:
    """The mix of the window of 30 days that ends at `around`, counting `extra` as if scheduled."""
    rows = Variant.objects.filter(
        post__workspace_id=workspace_id,
        post__deleted_at=None,  # a deleted post's variants are off the queue already; this keeps them out whatever their state
        post__is_reply=False,  # answers in conversations are not the plan's content
        channel_id=channel_id,
        state__in=LIVE,
        due_at__gt=around - WINDOW,
        due_at__lte=around,
    ).values_list("post_id", "post__kind", "post__pillar_id")
    kinds = {post_id: link.kind_of(kind, pillar) for post_id, kind, pillar in rows}
    if extra is not None:
        kinds[extra.pk] = link.kind_of(extra.kind, extra.pillar_id)
    promotional = sum(1 for k in kinds.values() if k == "promotional")
    return ChannelMix(channel_id, promotional, len(kinds), link.promotional_target)


def mix_after(post: Post, at: dt.datetime) -> list[ChannelMix]:
    """The channels whose promotional share this post would push over the target."""
    if post.is_reply:
        return []
    link = PlanLink.of(post.workspace)
    if link.kind_of(post.kind, post.pillar_id) != "promotional":
        return []
    result = []
    for channel_id in post.variants.values_list("channel_id", flat=True):
        after = channel_mix(post.workspace_id, channel_id, at, link, extra=post)
        if after.over:
            result.append(after)
    return result


class MixWarning(Conflict):
    def __init__(self, over: list[ChannelMix]) -> None:
        detail = "; ".join(
            f"{m.channel_id} would be {m.share:.0%} promotional ({m.promotional} of {m.total}), target {m.target:.0%}" for m in over
        )
        super().__init__(
            f"this post pushes promotion over the plan's mix: {detail}. Schedule anyway, or choose another time or a social post"
        )
        self.over = over
