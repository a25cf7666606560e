"""Collecting followers and status counts from Mastodon. No real Mastodon server installs here:
these tests run against mastodon-mock, a FAKE of the Mastodon REST API (stateful statuses,
favourites, reblogs, replies and follows; its fault-injection rules stand in for an instance
that answers 429, lacks a route or sends impossible numbers)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.utils.timezone import now
from mastodon import Mastodon
from mastodon_mock.testing import MockServer

from strata.accounts.models import Workspace
from strata.analytics.metrics import collect, tasks
from strata.analytics.metrics.models import ChannelSchedule, FollowerCount, PostReading, PostSchedule
from strata.platforms import registry
from strata.platforms.base import Credentials
from strata.platforms.metrics import MetricsReader, PostsRead
from strata.publishing import actions, delivery
from strata.publishing.models import ChannelAccount, Variant
from tests.posts import due_post


@pytest.fixture(autouse=True)
def morning() -> Iterator[None]:
    """A Berlin morning, so that the quarter hours and days these tests step through never cross
    the workspace's midnight (when the daily follower count falls due again)."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC), tick=True):
        yield


@pytest.fixture
def fake_mastodon() -> Iterator[MockServer]:
    """The FAKE Mastodon server, fresh for each test: alice is the brand, bob and carol its public."""
    with MockServer() as server:
        yield server


def client(server: MockServer, who: str) -> Mastodon:
    return Mastodon(access_token=f"{who}_token", api_base_url=server.base_url, version_check_mode="none")


@pytest.fixture
def brand(acme: Workspace, fake_mastodon: MockServer) -> ChannelAccount:
    return actions.connect_channel(
        workspace=acme, actor=None, channel_id="acme-mastodon", service=fake_mastodon.base_url, handle="alice", secret="alice_token"
    )


def publish(workspace: Workspace, *texts: str) -> list[Variant]:
    """Posts published through Strata's own delivery, as they are in use."""
    posts = [due_post(workspace, "acme-mastodon", text) for text in texts]
    delivery.run_once(worker="test:1")
    variants = [Variant.objects.get(post=post) for post in posts]
    assert all(v.state == Variant.State.PUBLISHED for v in variants)
    return variants


def today(workspace: Workspace) -> dt.date:
    return now().astimezone(workspace.tzinfo).date()


def test_followers_and_status_counts_are_read_on_their_schedule(acme: Workspace, brand: ChannelAccount, fake_mastodon: MockServer) -> None:
    (variant,) = publish(acme, "Five spring routes around the lake")
    bob, carol = client(fake_mastodon, "bob"), client(fake_mastodon, "carol")
    alice_id = client(fake_mastodon, "alice").account_verify_credentials()["id"]
    bob.status_favourite(variant.remote_id)
    carol.status_favourite(variant.remote_id)
    bob.status_reblog(variant.remote_id)
    carol.status_post("@alice which one is flattest?", in_reply_to_id=variant.remote_id)
    bob.account_follow(alice_id)
    carol.account_follow(alice_id)

    assert collect.collect_once(worker="test:1") == collect.Collected(scheduled=1, followers=1, readings=1)
    reading = PostReading.objects.get(variant=variant)
    assert (reading.likes, reading.reposts, reading.replies) == (2, 1, 1)
    assert reading.quotes is None  # the instance does not count quotes: unknown, not 0
    count = FollowerCount.objects.get(workspace=acme, channel_id="acme-mastodon")
    assert (count.day, count.followers, count.error) == (today(acme), 2, "")
    schedule = PostSchedule.objects.get(variant=variant)
    assert schedule.reads == 1
    assert schedule.next_read_at is not None
    assert now() < schedule.next_read_at <= now() + dt.timedelta(minutes=15)

    # Nothing is due again at once: a second round reads nothing.
    assert collect.collect_once(worker="test:2") == collect.Collected(scheduled=0, followers=0, readings=0)

    # A quarter hour later the post is read again (a time series); the followers wait for tomorrow.
    client(fake_mastodon, "alice").status_favourite(variant.remote_id)
    with time_machine.travel(now() + dt.timedelta(minutes=16), tick=True):
        assert collect.collect_once(worker="test:1").readings == 1
        assert collect.collect_once(worker="test:1").followers == 0
    assert list(PostReading.objects.filter(variant=variant).order_by("read_at").values_list("likes", flat=True)) == [2, 3]
    with time_machine.travel(now() + dt.timedelta(days=1, hours=1), tick=True):
        assert collect.collect_once(worker="test:1").followers == 1
    assert FollowerCount.objects.filter(workspace=acme, channel_id="acme-mastodon", followers=2).count() == 2


def test_impossible_numbers_are_refused_one_post_at_a_time(acme: Workspace, brand: ChannelAccount, fake_mastodon: MockServer) -> None:
    good, negative, huge, floating = publish(acme, "Good numbers", "Negative likes", "Ten trillion boosts", "Fractional replies")
    client(fake_mastodon, "bob").status_favourite(good.remote_id)
    answer = [
        {"id": good.remote_id, "favourites_count": 1, "reblogs_count": 0, "replies_count": 0},
        {"id": negative.remote_id, "favourites_count": -5, "reblogs_count": 0, "replies_count": 0},
        {"id": huge.remote_id, "favourites_count": 1, "reblogs_count": 10**13, "replies_count": 0},
        {"id": floating.remote_id, "favourites_count": 1, "reblogs_count": 0, "replies_count": 2.5},
        {"id": "999999", "favourites_count": 7, "reblogs_count": 7, "replies_count": 7},  # not asked for
    ]
    with (
        fake_mastodon.fault(path="/api/v1/statuses", status=200, body=answer, count=1),
        fake_mastodon.fault(path="/api/v1/accounts/verify_credentials", status=200, body={"id": "1", "followers_count": "12"}, count=1),
    ):
        collect.collect_once(worker="test:1")

    assert list(PostReading.objects.values_list("variant_id", "likes")) == [(good.pk, 1)]
    for refused in (negative, huge, floating):
        schedule = PostSchedule.objects.get(variant=refused)
        assert schedule.failures == 1
        assert "cannot be true" in schedule.last_error
    gap = FollowerCount.objects.get(workspace=acme, channel_id="acme-mastodon")
    assert gap.followers is None  # a gap, not 12 and not 0
    assert "cannot be true" in gap.error

    # The instance answers properly again: the refused posts are read at their next time.
    with time_machine.travel(now() + dt.timedelta(minutes=16), tick=True):
        assert collect.collect_once(worker="test:1").readings == 4


def test_a_rate_limit_holds_the_account_back_until_the_instance_said(
    acme: Workspace, brand: ChannelAccount, fake_mastodon: MockServer
) -> None:
    (variant,) = publish(acme, "Route of the week")
    with fake_mastodon.fault(path="/api/v1/statuses", type="ratelimit", headers={"Retry-After": "600"}, count=1):
        assert collect.collect_once(worker="test:1").readings == 0
    schedule = PostSchedule.objects.get(variant=variant)
    assert "429" in schedule.last_error
    assert schedule.next_read_at is not None
    assert schedule.next_read_at >= now() + dt.timedelta(seconds=590)
    channel = ChannelSchedule.objects.get(workspace=acme, channel_id="acme-mastodon")
    assert channel.held_until is not None
    assert channel.held_until >= now() + dt.timedelta(seconds=590)

    # Before then nothing is asked (the instance would answer 429 again); after, all is read.
    with time_machine.travel(now() + dt.timedelta(minutes=5), tick=True):
        assert collect.collect_once(worker="test:1") == collect.Collected(scheduled=0, followers=0, readings=0)
    with time_machine.travel(now() + dt.timedelta(minutes=11), tick=True):
        assert collect.collect_once(worker="test:1").readings == 1
    assert not PostReading.objects.filter(variant=variant, likes__gt=0).exists()


def test_an_instance_without_the_batch_route_is_asked_status_by_status(
    acme: Workspace, brand: ChannelAccount, fake_mastodon: MockServer
) -> None:
    variants = publish(acme, "First", "Second")
    client(fake_mastodon, "bob").status_reblog(variants[1].remote_id)
    with fake_mastodon.fault(path="/api/v1/statuses", status=404):  # before Mastodon 4.3
        assert collect.collect_once(worker="test:1").readings == 2
    assert sorted(PostReading.objects.values_list("reposts", flat=True)) == [0, 1]


class Spy:
    """The real metrics reader, counting what it is asked for; `during_first` runs while the
    first call is under way (another worker arriving in the middle of a read)."""

    def __init__(self, inner: MetricsReader, during_first: list[object]) -> None:
        self.inner, self.name, self.per_call = inner, inner.name, inner.per_call
        self.asked: Counter[str] = Counter()
        self.during_first = during_first

    def followers(self, credentials: Credentials, account: str) -> int:
        return self.inner.followers(credentials, account)

    def posts(self, credentials: Credentials, remote_ids: Sequence[str]) -> PostsRead:
        self.asked.update(remote_ids)
        while self.during_first:
            step = self.during_first.pop(0)
            assert callable(step)
            step()
        return self.inner.posts(credentials, remote_ids)


def test_workers_racing_for_the_same_due_posts_read_each_once(
    acme: Workspace,
    brand: ChannelAccount,
    fake_mastodon: MockServer,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    variants = publish(acme, *(f"Post number {n}" for n in range(25)))  # two batches of at most 20
    handed: list[tuple[list[int], str]] = []
    read_posts = tasks.read_posts
    monkeypatch.setattr(tasks, "read_posts", SimpleNamespace(enqueue=lambda ids, mark: handed.append((ids, mark))))
    monkeypatch.setattr(tasks, "read_followers", SimpleNamespace(enqueue=lambda *_: None))

    def enqueue() -> None:  # the task enqueuer: hands out only what nobody holds
        with django_capture_on_commit_callbacks(execute=True):
            tasks.enqueue_due()

    # While the first loop reads its first batch, the enqueuer hands the other one to a task, and
    # a second loop finds nothing left.
    others: list[object] = [enqueue, lambda: collect.collect_once(worker="worker:B")]
    spy = Spy(registry.METRICS_READERS["mastodon"], others)
    monkeypatch.setitem(registry.METRICS_READERS, "mastodon", spy)

    collect.collect_once(worker="worker:A")
    assert len(handed) == 1
    for ids, mark in handed:  # each task as a worker runs it, then once more (delivered twice)
        read_posts.call(ids, mark)
        assert read_posts.call(ids, mark) == 0

    assert set(spy.asked) == {v.remote_id for v in variants}
    assert set(spy.asked.values()) == {1}
    assert Counter(PostReading.objects.values_list("variant_id", flat=True)) == {v.pk: 1 for v in variants}
    assert not PostSchedule.objects.exclude(leased_by="").exists()
