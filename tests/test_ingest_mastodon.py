"""Hearing a Mastodon account's notifications. No real Mastodon server installs here: these tests
run against mastodon-mock, a FAKE of the Mastodon REST API (stateful notifications, threads,
favourites and reblogs; it does not link mentions in its HTML)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from mastodon import Mastodon
from mastodon_mock.testing import MockServer

from strata.accounts.models import Workspace
from strata.engagement import ingest
from strata.engagement.models import HeardItem, Source
from strata.publishing import actions


@pytest.fixture
def fake_mastodon() -> Iterator[MockServer]:
    """The FAKE Mastodon server, fresh for each test: alice is the brand, bob and carol talk to it."""
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


def read_all(workspace: Workspace) -> int:
    ingest.sync_sources()
    stored = 0
    for source in Source.objects.filter(workspace=workspace):
        Source.objects.filter(pk=source.pk).update(next_read_at=source.next_read_at.replace(year=2000))
        stored += ingest.read_source(source.pk, worker="test:1")
    return stored


def test_every_kind_of_notification_arrives_once_threaded(acme: Workspace, brand: Mastodon, fake_mastodon: MockServer) -> None:
    ours = brand.status_post("Five spring routes around Lake Constance")
    bob, carol = client(fake_mastodon, "bob"), client(fake_mastodon, "carol")
    reply = bob.status_post("@alice which one is flattest?", in_reply_to_id=ours["id"])
    carol.status_post("@alice the second route was lovely", in_reply_to_id=reply["id"])  # a reply to a reply
    bob.status_favourite(ours["id"])
    bob.status_reblog(ours["id"])
    carol.account_follow(brand.account_verify_credentials()["id"])

    assert read_all(acme) >= 5
    heard = Counter(HeardItem.objects.filter(workspace=acme, context=False).values_list("kind", flat=True))
    assert heard == {"reply": 2, "like": 1, "repost": 1, "follow": 1}
    deepest = HeardItem.objects.get(workspace=acme, text__contains="lovely")
    assert deepest.parent_id == str(reply["id"])
    assert HeardItem.objects.filter(workspace=acme, remote_id=str(reply["id"])).exists()  # its parent is stored too
    like = HeardItem.objects.get(workspace=acme, kind="like")
    assert like.subject_id == str(ours["id"])
    assert like.author_handle == "bob"

    # Read again: nothing is doubled, and only what is new arrives.
    assert read_all(acme) == 0
    carol.status_post("@alice and the third?", in_reply_to_id=ours["id"])
    assert read_all(acme) == 1
    assert HeardItem.objects.filter(workspace=acme, context=False).count() == sum(heard.values()) + 1
    # The brand's own post came as the thread's context, once.
    assert HeardItem.objects.filter(workspace=acme, remote_id=str(ours["id"]), context=True).count() == 1


def test_the_cursor_survives_a_restart_and_a_refused_token_stops_the_source(
    acme: Workspace, brand: Mastodon, fake_mastodon: MockServer
) -> None:
    ours = brand.status_post("Route of the week")
    client(fake_mastodon, "bob").status_post("@alice nice", in_reply_to_id=ours["id"])
    read_all(acme)
    source = Source.objects.get(workspace=acme, channel_id="acme-mastodon")
    assert source.cursor
    assert source.failures == 0
    assert source.last_error == ""
    # A new process reads from the stored cursor: nothing old comes back.
    assert read_all(acme) == 0

    from strata.publishing.models import ChannelAccount

    account = ChannelAccount.objects.get(workspace=acme, channel_id="acme-mastodon")
    account.set_secret("revoked")
    account.save()
    read_all(acme)
    source.refresh_from_db()
    assert source.state == Source.State.BROKEN
    assert "connect the channel again" in source.last_error
