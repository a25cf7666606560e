"""Listening on Mastodon: hashtag timelines, the local public timeline and the brand's own
notifications, matched against the plan's listening queries. No real Mastodon server installs
here: these tests run against mastodon-mock, a FAKE of the Mastodon REST API (it keeps statuses
with their hashtags and serves the timelines; it does not link hashtags in its HTML)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from mastodon import Mastodon
from mastodon_mock.testing import MockServer

from strata.accounts.models import Workspace
from strata.engagement import ingest
from strata.engagement.listening import sources
from strata.engagement.models import HeardItem, Source
from strata.publishing import actions

# The demo plan's queries (strata/strategy/demo.yaml) include:
#   brand-mentions: '"acme bikes" OR … OR #acmebikes OR (acme NEAR/3 (bike* OR cycle OR ride))'
#   competitors:    '"rapid cycles" OR @rapidcycles.bsky.social OR (velocita NEAR/3 (bike* OR e-bike*))'


@pytest.fixture
def fake_mastodon() -> Iterator[MockServer]:
    """The FAKE Mastodon server, fresh for each test: alice is the brand, the others are strangers."""
    with MockServer() as server:
        yield server


def client(server: MockServer, who: str) -> Mastodon:
    return Mastodon(access_token=f"{who}_token", api_base_url=server.base_url, version_check_mode="none")


@pytest.fixture
def brand(acme: Workspace, fake_mastodon: MockServer) -> Mastodon:
    actions.connect_channel(
        workspace=acme, actor=None, channel_id="acme-mastodon", service=fake_mastodon.base_url, handle="alice", secret="alice_token"
    )
    return client(fake_mastodon, "alice")


def read(workspace: Workspace, *kinds: str) -> int:
    ingest.sync_sources()
    sources.sync()
    stored = 0
    for source in Source.objects.filter(workspace=workspace, kind__in=kinds):
        Source.objects.filter(pk=source.pk).update(next_read_at=source.next_read_at.replace(year=2000))
        stored += ingest.read_source(source.pk, worker="test:1")
    return stored


def heard(workspace: Workspace) -> dict[str, list[str]]:
    return dict(HeardItem.objects.filter(workspace=workspace).values_list("text", "matched_queries"))


def test_it_hears_strangers_on_hashtag_and_public_timelines_once(acme: Workspace, brand: Mastodon, fake_mastodon: MockServer) -> None:
    bob, carol = client(fake_mastodon, "bob"), client(fake_mastodon, "carol")
    bob.status_post("New saddle day #AcmeBikes")
    carol.status_post("Test ride with Rapid Cycles today, the hill was no problem")
    carol.status_post("Nothing about bikes in this one")
    brand.status_post("Acme Bikes spring sale")  # the brand's own: not heard

    assert read(acme, Source.Kind.HASHTAGS, Source.Kind.PUBLIC) == 2
    assert heard(acme) == {
        "New saddle day #AcmeBikes": ["brand-mentions"],
        "Test ride with Rapid Cycles today, the hill was no problem": ["competitors"],
    }
    item = HeardItem.objects.get(workspace=acme, text__contains="saddle")
    assert (item.kind, item.context, item.author_handle) == ("post", False, "bob")
    assert HeardItem.objects.filter(workspace=acme, matched_key__contains=",competitors,").count() == 1

    # Read again: nothing twice; what is new arrives, from either timeline.
    assert read(acme, Source.Kind.HASHTAGS, Source.Kind.PUBLIC) == 0
    bob.status_post("velocita e-bikes are everywhere")
    bob.status_post("#acmebikes at the lake")
    assert read(acme, Source.Kind.HASHTAGS, Source.Kind.PUBLIC) == 2
    assert HeardItem.objects.filter(workspace=acme).count() == 4
    hashtags = Source.objects.get(workspace=acme, kind=Source.Kind.HASHTAGS)
    assert "acmebikes" in json.loads(hashtags.cursor)


def test_notifications_record_the_queries_they_match(acme: Workspace, brand: Mastodon, fake_mastodon: MockServer) -> None:
    ours = brand.status_post("Five spring routes")
    bob = client(fake_mastodon, "bob")
    bob.status_post("@alice my Acme bikes saddle squeaks", in_reply_to_id=ours["id"])
    bob.status_post("@alice thanks for the routes", in_reply_to_id=ours["id"])

    read(acme, Source.Kind.NOTIFICATIONS)
    replies = dict(HeardItem.objects.filter(workspace=acme, kind="reply").values_list("text", "matched_queries"))
    assert replies == {"@alice my Acme bikes saddle squeaks": ["brand-mentions"], "@alice thanks for the routes": []}
    assert HeardItem.objects.get(workspace=acme, matched_key__contains=",brand-mentions,").kind == "reply"
