"""Collecting followers and post counts on a real Bluesky network: PLC, PDS and the Bluesky AppView
on 127.0.0.1 (tests/servers/network.py). The brand publishes through Strata; other accounts
like, repost, reply, quote and follow; Strata reads the counts the AppView keeps."""

from __future__ import annotations

from typing import Any

import httpx
from django.test import override_settings
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.analytics.metrics import collect
from strata.analytics.metrics.models import ChannelSchedule, FollowerCount, PostReading, PostSchedule
from strata.publishing import delivery
from strata.publishing.models import ChannelAccount, Variant
from tests.posts import due_post
from tests.servers.network import BlueskyNetwork, Ref
from tests.test_ingest_bluesky import connect

COUNTS = ("likeCount", "repostCount", "replyCount", "quoteCount")


def appview_counts(net: BlueskyNetwork, uri: str) -> tuple[Any, ...] | None:
    got = httpx.get(f"{net.appview_url}/xrpc/app.bsky.feed.getPosts", params={"uris": [uri]}, timeout=30).json()
    return tuple(got["posts"][0].get(name) for name in COUNTS) if got.get("posts") else None


def appview_followers(net: BlueskyNetwork, did: str) -> Any:
    return httpx.get(f"{net.appview_url}/xrpc/app.bsky.actor.getProfile", params={"actor": did}, timeout=30).json().get("followersCount")


def readings(variant: Variant) -> list[tuple[int, int, int, int | None]]:
    rows = PostReading.objects.filter(variant=variant).order_by("read_at")
    return [(r.likes, r.reposts, r.replies, r.quotes) for r in rows]


def test_likes_reposts_replies_quotes_and_followers_come_from_the_appview(acme: Workspace, bsky_network: BlueskyNetwork) -> None:
    net = bsky_network
    brand, fan, friend = net.create_account(), net.create_account(), net.create_account()
    connect(acme, net, brand)
    post = due_post(acme, "acme-bsky", "Five spring routes around the lake")
    delivery.run_once(worker="test:1")
    variant = Variant.objects.get(post=post)
    assert variant.state == Variant.State.PUBLISHED
    ours = Ref(variant.remote_id, net.record(variant.remote_id)["cid"])

    net.like(fan, ours)
    net.like(friend, ours)
    net.repost(fan, ours)
    net.reply(friend, ours, "Which one is flattest?")
    net.quote(fan, ours, "Worth a read before the weekend")
    net.follow(fan, brand)
    net.follow(friend, brand)
    # The AppView counts as it indexes: wait until it shows what happened, as a person would see it.
    net.wait_until(lambda: appview_counts(net, ours.uri) == (2, 1, 1, 1), what="the AppView to count the post's engagement")
    net.wait_until(lambda: appview_followers(net, brand.did) == 2, what="the AppView to count the brand's followers")

    # Without STRATA_BLUESKY_APPVIEW: through the brand's PDS, which asks its AppView.
    assert collect.collect_once(worker="test:1") == collect.Collected(scheduled=1, followers=1, readings=1)
    assert readings(variant) == [(2, 1, 1, 1)]
    count = FollowerCount.objects.get(workspace=acme, channel_id="acme-bsky")
    assert (count.followers, count.error, count.day) == (2, "", now().astimezone(acme.tzinfo).date())

    # With it: straight from the AppView, without signing in, so that even a PDS that is down
    # (here: an address where nothing listens) does not stop the counts.
    net.like(brand, ours)
    net.wait_until(lambda: appview_counts(net, ours.uri) == (3, 1, 1, 1), what="the AppView to count the third like")
    ChannelAccount.objects.filter(workspace=acme, channel_id="acme-bsky").update(service="http://127.0.0.1:9")
    PostSchedule.objects.update(next_read_at=now())
    ChannelSchedule.objects.update(next_read_at=now())
    with override_settings(STRATA_BLUESKY_APPVIEW=net.appview_url):
        assert collect.collect_once(worker="test:1") == collect.Collected(scheduled=0, followers=1, readings=1)
    assert readings(variant) == [(2, 1, 1, 1), (3, 1, 1, 1)]
    assert FollowerCount.objects.get(workspace=acme, channel_id="acme-bsky").followers == 2
