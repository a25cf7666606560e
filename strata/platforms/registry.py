"""The platforms Strata publishes to. Adding one is a package here and a line below."""

from __future__ import annotations

from strata.platforms.base import Adapter
from strata.platforms.bluesky.adapter import BlueskyAdapter
from strata.platforms.feed.adapter import FeedAdapter
from strata.platforms.mastodon.adapter import MastodonAdapter
from strata.platforms.newsletter.adapter import NewsletterAdapter
from strata.platforms.webhook.adapter import WebhookAdapter

ADAPTERS: dict[str, Adapter] = {
    "bluesky": BlueskyAdapter(),
    "mastodon": MastodonAdapter(),
    "rss": FeedAdapter(),
    "newsletter": NewsletterAdapter(),
    "webhook": WebhookAdapter(),
}


def adapter_for(platform: str) -> Adapter | None:
    return ADAPTERS.get(platform)
