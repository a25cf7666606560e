"""Publishing to Mastodon. No real Mastodon server installs here, so these tests run against
mastodon-mock, a FAKE of the Mastodon REST API (stateful, honours Idempotency-Key, answers 401
for a bad token and 422 over the length limit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.utils.timezone import now
from mastodon import Mastodon
from mastodon_mock.testing import MockServer

from strata.accounts.models import Workspace
from strata.platforms.base import Credentials
from strata.platforms.mastodon.adapter import MastodonAdapter
from strata.publishing import actions, delivery
from strata.publishing.models import ChannelAccount, Post, Variant


@pytest.fixture(scope="module")
def fake_mastodon() -> Iterator[MockServer]:
    """The FAKE Mastodon server (mastodon-mock), with the seeded account alice."""
    with MockServer() as server:
        yield server


@pytest.fixture
def connected(acme: Workspace, fake_mastodon: MockServer) -> ChannelAccount:
    return actions.connect_channel(
        workspace=acme, actor=None, channel_id="acme-mastodon", service=fake_mastodon.base_url, handle="alice", secret="alice_token"
    )


def statuses(server: MockServer) -> list[Any]:
    client = Mastodon(access_token="alice_token", api_base_url=server.base_url, version_check_mode="none")
    me = client.account_verify_credentials()
    return list(client.account_statuses(me["id"], limit=40))


def publish(workspace: Workspace, text: str, *thread: str) -> Variant:
    post = actions.create_post(
        workspace=workspace,
        actor=None,
        data=actions.PostInput(variants=[actions.VariantInput("acme-mastodon", text, thread=thread)], objective_id="eu-awareness"),
    )
    actions.approve(post=post, actor=None)
    actions.schedule(post=post, actor=None, at=now() + dt.timedelta(minutes=1))
    with time_machine.travel(now() + dt.timedelta(minutes=2), tick=True):
        delivery.run_once(worker="test:1")
    return post.variants.get()


def test_connecting_checks_the_token_with_the_instance(connected: ChannelAccount, acme: Workspace, fake_mastodon: MockServer) -> None:
    assert connected.remote_account == "alice"
    with pytest.raises(actions.ActionError, match="did not accept"):
        actions.connect_channel(
            workspace=acme, actor=None, channel_id="acme-mastodon", service=fake_mastodon.base_url, handle="alice", secret="wrong"
        )


def test_the_length_limit_is_the_instances_own(connected: ChannelAccount, fake_mastodon: MockServer) -> None:
    limits = MastodonAdapter().limits(connected.credentials())
    assert (
        limits.max_length
        == Mastodon(api_base_url=fake_mastodon.base_url, version_check_mode="none").instance_v2()["configuration"]["statuses"][
            "max_characters"
        ]
    )
    text = "x" * (limits.max_length + 1)
    [problem] = actions.check_variant(connected.workspace, actions.VariantInput("acme-mastodon", text), "mastodon")
    assert f"this instance allows {limits.max_length}" in problem.message
    # a link counts as 23 characters, however long it is
    assert (
        actions.check_variant(
            connected.workspace, actions.VariantInput("acme-mastodon", "see https://example.com/" + "a" * 600), "mastodon"
        )
        == []
    )


def test_a_thread_is_published_as_replies(connected: ChannelAccount, fake_mastodon: MockServer) -> None:
    variant = publish(connected.workspace, "Commuting tips, a thread (1/2)", "Fenders first (2/2)")
    assert variant.state == "published"
    by_id = {str(s["id"]): s for s in statuses(fake_mastodon)}
    first, second = (by_id[i] for i in variant.remote_ids)
    assert "Commuting tips" in first["content"]
    assert str(second["in_reply_to_id"]) == variant.remote_ids[0]


def test_a_repeated_publish_returns_the_same_status(connected: ChannelAccount, fake_mastodon: MockServer) -> None:
    variant = publish(connected.workspace, "Once on Mastodon")
    Variant.objects.filter(pk=variant.pk).update(state="scheduled", next_attempt_at=now(), remote_id="")
    with time_machine.travel(now() + dt.timedelta(minutes=3), tick=True):
        delivery.run_once(worker="test:1")
    variant.refresh_from_db()
    assert variant.state == "published"
    assert sum("Once on Mastodon" in s["content"] for s in statuses(fake_mastodon)) == 1


def test_content_the_instance_rejects_fails_and_tells_a_person(connected: ChannelAccount, fake_mastodon: MockServer) -> None:
    credentials = connected.credentials()
    too_long = "y" * (MastodonAdapter().limits(credentials).max_length + 50)
    post = actions.create_post(
        workspace=connected.workspace,
        actor=None,
        data=actions.PostInput(variants=[actions.VariantInput("acme-mastodon", too_long)], objective_id="eu-awareness"),
    )
    # Skip Strata's own check, as if the instance had lowered its limit after approval.
    Post.objects.filter(pk=post.pk).update(state="scheduled", scheduled_at=now())
    Variant.objects.filter(post=post).update(state="scheduled", due_at=now(), next_attempt_at=now())
    delivery.run_once(worker="test:1")
    variant = post.variants.get()
    assert variant.state == "failed"
    assert "rejected" in variant.last_error
    assert post.notifications.exists()


def test_a_bad_token_is_permanent(fake_mastodon: MockServer) -> None:
    from strata.platforms.base import Outgoing, Part, PermanentError

    with pytest.raises(PermanentError, match="connect the channel again"):
        MastodonAdapter().publish(Credentials(fake_mastodon.base_url, "alice", "revoked"), Outgoing(parts=(Part("hi"),), keys=("k1",)))
