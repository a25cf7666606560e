"""An ambassador's reach from the real Bluesky network (PLC, PDS and AppView on 127.0.0.1,
tests/servers/network.py): their quote and repost are heard through the brand's notifications,
and their follower count is read from the AppView's getProfiles."""

from __future__ import annotations

import httpx
from django.core.cache import cache
from django.test import override_settings

from strata.accounts.models import Workspace
from strata.engagement.ambassadors import reach, refresh, scoring
from strata.engagement.ambassadors.models import Ambassador
from tests.servers.network import BlueskyNetwork
from tests.test_ingest_bluesky import connect, read_all


def profile(net: BlueskyNetwork, did: str) -> dict[str, int] | None:
    answer = httpx.get(f"{net.appview_url}/xrpc/app.bsky.actor.getProfile", params={"actor": did}, timeout=30)
    return answer.json() if answer.status_code == 200 else None


def test_reach_is_the_followers_the_appview_counts(acme: Workspace, bsky_network: BlueskyNetwork) -> None:
    net = bsky_network
    brand, fan, first, second = (net.create_account() for _ in range(4))
    connect(acme, net, brand)
    ours = net.post(brand, "Route of the week: the canal path")
    net.wait_indexed(ours)
    net.quote(fan, ours, "My favourite way to work")
    net.repost(fan, ours)
    net.follow(first, fan)
    net.follow(second, fan)  # two follow them; they follow nobody
    net.wait_until(lambda: len(net.notifications(brand).notifications) >= 2 or None, what="the quote and the repost")
    net.wait_until(lambda: (profile(net, fan.did) or {}).get("followersCount") == 2 or None, what="the follows to be counted")
    assert (profile(net, fan.did) or {}).get("followsCount", 0) == 0

    assert read_all(acme) >= 2
    refresh.refresh(acme)
    found = Ambassador.objects.get(workspace=acme, author_id=fan.did)
    assert (found.handle, found.followers, found.reach) == (fan.handle, None, None)
    before = found.score

    cache.clear()
    with override_settings(STRATA_BLUESKY_APPVIEW=net.appview_url):
        assert reach.check(acme) == 1
        assert reach.check(acme) == 0  # read today: not asked again until tomorrow
    found.refresh_from_db()
    assert found.followers == 2
    assert found.followers_checked_at is not None
    assert found.reach == scoring.reach(2)
    assert found.score == scoring.combine(found.frequency, found.recency, found.sentiment, found.reach) != before
    refresh.refresh(acme)  # the next scoring keeps the followers it read
    found.refresh_from_db()
    assert found.followers == 2
    assert found.reach == scoring.reach(2)
