"""The real Bluesky network ingest is tested against (tests/servers/network.py): PLC, PDS and the
Bluesky AppView from @atproto/dev-env. These tests pin down what ingest relies on: the brand's
notifications with their reasons and cursor, whole threads, the PDS's event stream with its
cursor, and search for listening."""

from __future__ import annotations

import secrets
from typing import Any

from tests.servers.network import BlueskyNetwork


def thread_chain(thread: Any) -> list[str]:
    """The URIs from a post up through its parents to the root of the thread."""
    chain = []
    while thread is not None and hasattr(thread, "post"):
        chain.append(thread.post.uri)
        thread = thread.parent
    return chain


def test_the_brand_hears_replies_quotes_likes_reposts_follows_and_mentions(bsky_network: BlueskyNetwork) -> None:
    net = bsky_network
    # A handle of its own (brand<random>.test): the network lives for the whole session.
    brand, replier, fan = net.create_account(f"brand{secrets.token_hex(3)}"), net.create_account(), net.create_account()
    post = net.post(brand, "Spring collection is out: bikes for every street")

    mention = net.post(fan, f"Asked @{brand.handle} about cargo bikes, great answer")
    facets = net.record(mention.uri)["value"]["facets"]
    assert [f["features"][0] for f in facets] == [{"$type": "app.bsky.richtext.facet#mention", "did": brand.did}]
    expected = {
        net.reply(replier, post, "Does it come in green?").uri: "reply",
        net.quote(fan, post, "Finally!").uri: "quote",
        net.like(fan, post).uri: "like",
        net.repost(fan, post).uri: "repost",
        net.follow(fan, brand).uri: "follow",
        mention.uri: "mention",
    }

    def all_listed() -> Any:
        page = net.notifications(brand)
        return page if {n.uri for n in page.notifications} >= expected.keys() else None

    page = net.wait_until(all_listed, what="every notification of the brand")
    assert {n.uri: n.reason for n in page.notifications} == expected
    authors = {n.reason: n.author.did for n in page.notifications}
    assert authors == {"reply": replier.did, **{reason: fan.did for reason in ("quote", "like", "repost", "follow", "mention")}}
    subjects = {n.reason: n.reason_subject for n in page.notifications}
    assert subjects["like"] == subjects["repost"] == post.uri
    reply = next(n for n in page.notifications if n.reason == "reply")
    assert reply.record.reply.parent.uri == post.uri
    assert reply.record.text == "Does it come in green?"

    # The cursor pages towards older notifications: passed back, it returns nothing already seen.
    assert page.cursor
    assert net.notifications(brand, cursor=page.cursor).notifications == []

    def followed() -> Any:
        profile = net.client(brand).get_profile(brand.handle)
        return profile if profile.followers_count == 1 else None

    profile = net.wait_until(followed, what="the follow on the profile")
    assert (profile.did, profile.posts_count) == (brand.did, 1)


def test_a_reply_to_a_reply_keeps_its_whole_thread(bsky_network: BlueskyNetwork) -> None:
    net = bsky_network
    brand, first, second = net.create_account(), net.create_account(), net.create_account()
    post = net.post(brand, "What should we build next?")
    answer = net.reply(first, post, "A folding cargo bike")
    answer_to_answer = net.reply(second, answer, "Yes, with a rain cover")
    deepest = net.reply(first, answer_to_answer, "And lights that charge while riding")
    assert net.record(deepest.uri)["value"]["reply"]["root"]["uri"] == post.uri
    net.wait_indexed(post, answer, answer_to_answer, deepest)

    thread = net.client(brand).get_post_thread(deepest.uri).thread
    assert thread_chain(thread) == [deepest.uri, answer_to_answer.uri, answer.uri, post.uri]


def test_the_pds_event_stream_delivers_a_reply_once_with_a_cursor(bsky_network: BlueskyNetwork) -> None:
    net = bsky_network
    brand, replier = net.create_account(), net.create_account()
    post = net.post(brand, "Open workshop on Saturday")
    reply = net.reply(replier, post, "Can I bring my own tools?")

    events = net.firehose(0, until=lambda e: e.uri == reply.uri)
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    heard = next(e for e in events if e.uri == reply.uri)
    assert (heard.action, heard.repo, heard.cid) == ("create", replier.did, reply.cid)
    assert heard.record is not None
    assert heard.record["text"] == "Can I bring my own tools?"
    assert heard.record["reply"]["parent"]["uri"] == post.uri

    later = net.post(replier, "See you there")
    again = net.firehose(heard.seq, until=lambda e: e.uri == later.uri)
    assert reply.uri not in {e.uri for e in again}
    assert min(e.seq for e in again) > heard.seq


def test_search_finds_posts_of_accounts_that_never_mention_the_brand(bsky_network: BlueskyNetwork) -> None:
    net = bsky_network
    brand, stranger = net.create_account(), net.create_account()
    word = f"velocargo{secrets.token_hex(3)}"
    found = net.post(stranger, f"Test ride on the {word} today, the hill was no problem")
    net.post(stranger, "Nothing about bikes in this one")

    def search() -> Any:
        hits = net.client(brand).app.bsky.feed.search_posts({"q": word}).posts
        return hits or None

    hits = net.wait_until(search, what=f"search to find {word!r}")
    assert [(h.uri, h.author.did) for h in hits] == [(found.uri, stranger.did)]
