"""What the demo workspace has heard: a few conversations in the inbox, routed by the demo plan,
so that a first look at the inbox shows the response plan at work. The demo's channels are not
connected, so nothing here can be answered on a platform until one is."""

from __future__ import annotations

import datetime as dt

from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.engagement import demo_items
from strata.engagement.inbox import filing
from strata.engagement.models import HeardItem

# (channel, platform, minutes ago, kind, handle, name, text, sentiment, intents)
SAID = [
    ("acme-help", "bluesky", 25, "reply", "lena.bsky.social", "Lena Vogt",
     "Third puncture this month on the tyres you fitted at the service. Really not happy.", "negative", ["complaint"]),
    ("acme-bsky", "bluesky", 70, "reply", "tom-rides.bsky.social", "Tom Becker",
     "Do you have the Commuter 3 in a 52 cm frame? The shop page only lists 54 and 56.", "neutral", ["question", "purchase_intent"]),
    ("acme-bsky", "bluesky", 190, "mention", "ayse.bsky.social", "Ayşe Demir",
     "Picked up my new bike from @acme.bsky.social yesterday. The team in Kreuzberg was brilliant!", "positive", ["praise"]),
    ("acme-mastodon", "mastodon", 400, "mention", "kai@mastodon.example", "Kai",
     "@acme@mastodon.example is the canal route still closed near the Urbanhafen?", "neutral", ["question"]),
]  # fmt: skip


def seed(workspace: Workspace) -> int:
    """The demo's conversations, once; the number filed."""
    if HeardItem.objects.filter(workspace=workspace).exists():
        return 0
    for n, (channel, platform, minutes, kind, handle, name, text, sentiment, intents) in enumerate(SAID):
        at = now() - dt.timedelta(minutes=minutes)
        demo_items.heard(
            workspace, channel=channel, platform=platform, remote_id=f"demo:{n}", kind=kind,
            handle=handle, name=name, text=text, sentiment=sentiment, intents=intents, at=at,
        ).save()  # fmt: skip
    return filing.file_unfiled()
