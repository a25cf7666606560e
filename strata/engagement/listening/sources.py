"""Listening sources of a workspace's own accounts: for each connected Mastodon account, the
timelines of the hashtags its queries name and the instance's local public timeline. Ingest
reads them like notifications (claim, read, store with the cursor, back off) and keeps only
the statuses that match one of the workspace's queries."""

from __future__ import annotations

from strata.engagement.listening import queries
from strata.engagement.models import Source
from strata.platforms import egress
from strata.platforms.base import Credentials
from strata.platforms.mastodon.timelines import MastodonTimelines
from strata.platforms.reading import Heard
from strata.publishing.models import ChannelAccount

TIMELINES = {"mastodon": MastodonTimelines()}
KINDS = (Source.Kind.HASHTAGS, Source.Kind.PUBLIC)


def sync() -> int:
    """A hashtags and a public source for every connected account whose platform has timelines."""
    made = 0
    for workspace_id, channel_id, platform in ChannelAccount.objects.filter(platform__in=TIMELINES).values_list(
        "workspace_id", "channel_id", "platform"
    ):
        for kind in KINDS:
            _, created = Source.objects.get_or_create(
                workspace_id=workspace_id, channel_id=channel_id, kind=kind, defaults={"platform": platform}
            )
            made += created
    return made


def read(source: Source, credentials: Credentials) -> Heard:
    """What came since the source's cursor; nothing is asked of the platform while the
    workspace's plan has no query for it (no queries, or no hashtags for the hashtags source)."""
    timelines = TIMELINES.get(source.platform)
    matcher = queries.workspace_matcher(source.workspace)
    if timelines is None or not len(matcher):
        return Heard((), source.cursor)
    with egress.guard():
        if source.kind == Source.Kind.HASHTAGS:
            tags = queries.hashtags(source.workspace)
            return timelines.hashtags(credentials, source.cursor, tags) if tags else Heard((), source.cursor)
        return timelines.public(credentials, source.cursor)
