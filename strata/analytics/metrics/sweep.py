"""What to read: a PostSchedule for every published post Strata can measure, a ChannelSchedule
for every connected account whose followers it can read.

Cheap enough for every round: the posts looked at are the published variants of the last 90
days without a schedule (an anti-join that returns nothing once they all have one), at most
BATCH a round; the channels are the connected accounts, a handful per workspace. A new schedule
is due at once, so that a post gets its first reading, the baseline, soon after it went out (or
after Strata was down); a rate limit on the account still holds it back.
"""

from __future__ import annotations

from django.utils.timezone import now

from strata.analytics.metrics.leases import held_until
from strata.analytics.metrics.models import ChannelSchedule, PostSchedule
from strata.analytics.metrics.schedule import LIFETIME
from strata.platforms.registry import METRICS_READERS
from strata.publishing.models import ChannelAccount, Variant

BATCH = 500


def sweep() -> int:
    """Make the missing schedules; the number of posts newly scheduled."""
    channels()
    return posts()


def channels() -> int:
    accounts = ChannelAccount.objects.filter(platform__in=list(METRICS_READERS)).values_list("workspace_id", "channel_id", "platform")
    made = ChannelSchedule.objects.bulk_create(
        [ChannelSchedule(workspace_id=w, channel_id=c, platform=p) for w, c, p in accounts],
        ignore_conflicts=True,  # one per channel (a constraint): those that exist stay as they are
    )
    return len(made)


def posts() -> int:
    at = now()
    fresh = list(
        Variant.objects.filter(
            state=Variant.State.PUBLISHED,
            platform__in=list(METRICS_READERS),
            published_at__gte=at - LIFETIME,
            post__is_reply=False,  # an answer in a conversation is not content of the plan
            metrics_schedule__isnull=True,
        )
        .exclude(remote_id="")
        .values_list("pk", "post__workspace_id", "channel_id", "platform")[:BATCH]
    )
    held = {(w, c): held_until(w, c, at) or at for w, c in {(w, c) for _, w, c, _ in fresh}}
    schedules = [PostSchedule(variant_id=pk, workspace_id=w, channel_id=c, platform=p, next_read_at=held[w, c]) for pk, w, c, p in fresh]
    PostSchedule.objects.bulk_create(schedules, ignore_conflicts=True)  # two sweeps at once make one each
    return len(schedules)
