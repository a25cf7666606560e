"""What the demo workspace heard, made as ingest would store it (the inbox's and ambassadors'
demos share this): on the channel's notifications source, with its labels shown."""

from __future__ import annotations

import datetime as dt

from strata.accounts.models import Workspace
from strata.engagement.models import HeardItem, Source


def heard(
    workspace: Workspace,
    *,
    channel: str,
    platform: str,
    remote_id: str,
    kind: str,
    handle: str,
    name: str,
    text: str,
    sentiment: str,
    at: dt.datetime,
    intents: list[str] | None = None,
    filed: bool = False,
) -> HeardItem:
    """An item not saved yet (a caller may tag it first)."""
    source, _ = Source.objects.get_or_create(
        workspace=workspace, channel_id=channel, kind=Source.Kind.NOTIFICATIONS, defaults={"platform": platform}
    )
    item = HeardItem(
        workspace=workspace,
        source=source,
        channel_id=channel,
        platform=platform,
        remote_id=remote_id,
        kind=kind,
        author_id=f"demo:{handle}",
        author_handle=handle,
        author_name=name,
        text=text,
        sentiment=sentiment,
        intents=intents or [],
        created_at=at,
        heard_at=at,
        filed=filed,
    )
    item.refresh_shown()
    return item
