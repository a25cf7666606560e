"""Delivery's decisions, each where a person sees it: the post's state, the attempt rows, the
notification, and what reached the receiver (a signed webhook to a real local HTTP server)."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.publishing import actions, delivery
from strata.publishing.models import Attempt, ChannelAccount, Notification, Post, PublishingSettings, Variant
from strata.strategy.actions import put_element
from strata.strategy.elements import KINDS
from tests.posts import due_post

HOOK = "acme-hook"


class Receiver(BaseHTTPRequestHandler):
    bodies: list[bytes] = []
    answers: list[int] = []
    paths: list[str] = []

    def do_POST(self) -> None:
        type(self).bodies.append(self.rfile.read(int(self.headers["content-length"])))
        type(self).paths.append(self.path)
        status = type(self).answers.pop(0) if type(self).answers else 200
        if status == 0:  # hang up without an answer: the delivery may or may not have been taken
            self.close_connection = True
            return
        self.send_response(status)
        if status == 429:
            self.send_header("retry-after", "120")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook(acme: Workspace) -> Iterator[ChannelAccount]:
    Receiver.bodies, Receiver.answers, Receiver.paths = [], [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    put_element(
        workspace=acme,
        author=None,
        kind=KINDS["channels"],
        element_id=None,
        element={"id": HOOK, "platform": "webhook", "handle": HOOK, "purpose": "educating"},
    )
    actions.connect_channel(
        workspace=acme, actor=None, channel_id=HOOK, service=f"http://127.0.0.1:{server.server_address[1]}/hook", handle="hook", secret="s"
    )
    yield ChannelAccount.objects.get(channel_id=HOOK)
    server.shutdown()


def deliver_due(acme: Workspace, text: str = "Ping", *, title: str = "", late: dt.timedelta = dt.timedelta(0)) -> Variant:
    post = due_post(acme, HOOK, text, title=title)
    Variant.objects.filter(post=post).update(due_at=now() - late)
    delivery.run_once(worker="test:1")
    return Variant.objects.get(post=post)


def notices(acme: Workspace) -> list[str]:
    return list(Notification.objects.filter(workspace=acme).order_by("pk").values_list("text", flat=True))


def test_a_post_due_within_the_hour_goes_out(acme: Workspace, hook: ChannelAccount) -> None:
    variant = deliver_due(acme, late=dt.timedelta(minutes=59))
    assert variant.state == "published"
    assert variant.attempts == 1
    assert variant.post.state == "published"
    assert len(Receiver.bodies) == 1
    assert list(variant.attempt_rows.values_list("outcome", "number")) == [("published", 1)]
    assert notices(acme) == []


def test_a_post_more_than_an_hour_late_is_missed_and_left_to_a_person(acme: Workspace, hook: ChannelAccount) -> None:
    variant = deliver_due(acme, "A late post", late=dt.timedelta(minutes=61))
    assert variant.state == "missed"
    assert variant.post.state == "missed"
    assert variant.attempts == 0
    assert Receiver.bodies == []
    assert not variant.attempt_rows.exists()  # the platform was not called: no attempt is left
    assert variant.claimed_by == ""
    [notice] = notices(acme)
    assert notice.startswith(f"A late post on {HOOK}: missed. it was due at {variant.due_at.isoformat()}, more than 1:00:00 ago;")
    assert notice.endswith("decide whether to send it late")
    assert variant.last_error == notice.split(": missed. ", 1)[1]


def test_the_workspace_decides_how_late_is_missed(acme: Workspace, hook: ChannelAccount) -> None:
    PublishingSettings.objects.update_or_create(workspace=acme, defaults={"missed_after_minutes": 180})
    assert deliver_due(acme, late=dt.timedelta(minutes=170)).state == "published"
    assert deliver_due(acme, late=dt.timedelta(minutes=190)).state == "missed"


def test_a_channel_that_is_not_connected_fails_without_a_call(acme: Workspace, hook: ChannelAccount) -> None:
    hook.delete()
    variant = deliver_due(acme, "Nowhere to go", title="Launch")
    assert (variant.state, variant.attempts, variant.post.state) == ("failed", 0, "failed")
    assert variant.last_error == f"channel '{HOOK}' is not connected; connect it, then schedule again"
    assert notices(acme) == [f"Launch on {HOOK}: failed. channel '{HOOK}' is not connected; connect it, then schedule again"]
    assert not variant.attempt_rows.exists()


def test_a_refused_signature_breaks_the_channel_for_the_posts_after_it(acme: Workspace, hook: ChannelAccount) -> None:
    Receiver.answers = [401]
    first = deliver_due(acme, "First")
    assert (first.state, first.attempts) == ("failed", 1)
    assert list(first.attempt_rows.values_list("outcome", flat=True)) == ["permanent"]
    message = "the receiver refused the signature (HTTP 401); connect the channel again"
    assert first.last_error == message
    assert ChannelAccount.objects.get(pk=hook.pk).broken == message
    second = deliver_due(acme, "Second")
    assert second.state == "failed"
    assert second.last_error == f"channel '{HOOK}' needs to be connected again: {message}"
    assert len(Receiver.bodies) == 1  # the second was not sent
    assert not second.attempt_rows.exists()


def test_a_refusal_that_is_not_about_the_credentials_leaves_the_channel_working(acme: Workspace, hook: ChannelAccount) -> None:
    Receiver.answers = [422]
    assert deliver_due(acme, "Refused").state == "failed"
    assert ChannelAccount.objects.get(pk=hook.pk).broken == ""
    assert deliver_due(acme, "Accepted").state == "published"


def test_a_rate_limited_channel_waits_without_losing_the_post_or_counting_a_try(acme: Workspace, hook: ChannelAccount) -> None:
    Receiver.answers = [429]
    before = now()
    variant = deliver_due(acme, "Wait for it")
    assert (variant.state, variant.attempts, variant.claimed_by) == ("scheduled", 0, "")
    until = ChannelAccount.objects.get(pk=hook.pk).rate_limited_until
    assert until is not None
    assert before + dt.timedelta(seconds=120) <= until <= now() + dt.timedelta(seconds=120)
    assert variant.next_attempt_at == until
    # Due again while the limit holds: not sent, no attempt row, back in the queue for the limit.
    Variant.objects.filter(pk=variant.pk).update(next_attempt_at=now())
    delivery.run_once(worker="test:1")
    variant.refresh_from_db()
    assert (variant.state, variant.next_attempt_at, variant.claimed_by) == ("scheduled", until, "")
    assert list(variant.attempt_rows.values_list("outcome", flat=True)) == ["rate_limited"]
    assert len(Receiver.bodies) == 1
    # Once the limit has passed, it goes out.
    ChannelAccount.objects.filter(pk=hook.pk).update(rate_limited_until=now() - dt.timedelta(seconds=1))
    Variant.objects.filter(pk=variant.pk).update(next_attempt_at=now())
    delivery.run_once(worker="test:1")
    variant.refresh_from_db()
    assert variant.state == "published"
    assert list(variant.attempt_rows.order_by("pk").values_list("outcome", flat=True)) == ["rate_limited", "published"]


def test_waiting_for_rate_limits_does_not_use_up_the_tries(acme: Workspace, hook: ChannelAccount) -> None:
    Receiver.answers = [429] * (delivery.MAX_ATTEMPTS + 1)
    variant = deliver_due(acme, "Patient")
    for _ in range(delivery.MAX_ATTEMPTS):
        ChannelAccount.objects.filter(pk=hook.pk).update(rate_limited_until=None)
        Variant.objects.filter(pk=variant.pk).update(next_attempt_at=now())
        delivery.run_once(worker="test:1")
    variant.refresh_from_db()
    assert variant.state == "scheduled"
    assert variant.attempt_rows.count() == delivery.MAX_ATTEMPTS + 1


def test_a_failing_receiver_is_tried_eight_times_with_growing_waits(acme: Workspace, hook: ChannelAccount) -> None:
    Receiver.answers = [503] * delivery.MAX_ATTEMPTS
    variant = deliver_due(acme, "Down")
    waits = []
    while variant.state == "scheduled":
        assert variant.next_attempt_at is not None
        waits.append((variant.next_attempt_at - now()).total_seconds())
        Variant.objects.filter(pk=variant.pk).update(next_attempt_at=now())
        delivery.run_once(worker="test:1")
        variant.refresh_from_db()
    assert delivery.MAX_ATTEMPTS == 8
    assert len(Receiver.bodies) == 8
    assert (variant.state, variant.attempts) == ("failed", 8)
    assert variant.last_error == "gave up after 8 attempts: the receiver failed to take the delivery (HTTP 503); trying again later"
    assert len(waits) == 7
    # 30 s, doubling, each within a fifth either way
    for number, wait in enumerate(waits, 1):
        assert 30 * 2 ** (number - 1) * 0.8 - 5 <= wait <= 30 * 2 ** (number - 1) * 1.2, (number, waits)


def test_the_wait_between_tries_doubles_up_to_an_hour() -> None:
    for attempts, base in ((0, 30), (1, 30), (2, 60), (3, 120), (8, 3600), (30, 3600)):
        waits = [delivery.backoff(attempts) for _ in range(50)]
        assert all(base * 0.8 <= w <= base * 1.2 for w in waits), (attempts, min(waits), max(waits))
        assert len(set(waits)) > 1  # spread out, so that retries do not arrive together


def claim(acme: Workspace, text: str) -> Any:
    post = due_post(acme, HOOK, text)
    claimed = delivery.claim_due(worker="test:1")
    assert claimed is not None
    assert claimed.post_id == post.pk
    return claimed


def test_a_claim_carries_everything_delivery_needs(acme: Workspace, hook: ChannelAccount) -> None:
    post = actions.create_post(
        workspace=acme,
        actor=None,
        data=actions.PostInput(
            variants=[actions.VariantInput(HOOK, "First part", link="https://acme.example/a", thread=("Second part",))],
            title="Thread",
            objective_id="eu-awareness",
        ),
    )
    actions.approve(post=post, actor=None)
    actions.schedule(post=post, actor=None, at=now() + dt.timedelta(minutes=5))
    # What a reply answers rides in the claim too (create_reply refuses one on a webhook; the
    # claim does not look at the platform).
    Variant.objects.filter(post=post).update(next_attempt_at=now(), due_at=now(), reply_to="110")
    variant = Variant.objects.get(post=post)
    claimed = delivery.claim_due(worker="test:1")
    assert claimed is not None
    assert claimed.reply_to == "110"
    assert (claimed.pk, claimed.post_id, claimed.workspace_id, claimed.title, claimed.channel_id) == (
        variant.pk,
        post.pk,
        acme.pk,
        "Thread",
        HOOK,
    )
    assert (claimed.platform, claimed.link, claimed.parts, claimed.keys) == (
        "webhook",
        "https://acme.example/a",
        ["First part", "Second part"],
        variant.keys,
    )
    assert claimed.due_at is not None
    assert claimed.due_at.tzinfo is not None
    assert abs((claimed.due_at - variant.due_at).total_seconds()) < 1
    assert (claimed.attempts, claimed.check_first, claimed.has_media) == (0, False, False)
    row = Variant.objects.get(pk=variant.pk)
    assert (row.state, row.claimed_by) == ("publishing", "test:1")
    attempt = Attempt.objects.get(pk=claimed.attempt_id)
    assert (attempt.variant_id, attempt.number, attempt.worker, attempt.outcome) == (variant.pk, 1, "test:1", "")
    assert delivery.claim_due(worker="test:2") is None  # nothing else is due, and this one is taken


def test_the_longest_waiting_post_is_claimed_first_and_nothing_before_it_is_due(acme: Workspace, hook: ChannelAccount) -> None:
    newer = due_post(acme, HOOK, "Newer")
    older = due_post(acme, HOOK, "Older")
    later = due_post(acme, HOOK, "Later")
    Variant.objects.filter(post=older).update(next_attempt_at=now() - dt.timedelta(minutes=5))
    Variant.objects.filter(post=later).update(next_attempt_at=now() + dt.timedelta(minutes=5))
    first, second = delivery.claim_due(worker="test:1"), delivery.claim_due(worker="test:1")
    assert first is not None
    assert second is not None
    assert (first.post_id, second.post_id) == (older.pk, newer.pk)
    assert delivery.claim_due(worker="test:1") is None
    third = delivery.claim_due(worker="test:1", at=now() + dt.timedelta(minutes=6))
    assert third is not None
    assert third.post_id == later.pk


def test_a_run_handles_at_most_its_limit(acme: Workspace, hook: ChannelAccount) -> None:
    posts = [due_post(acme, HOOK, f"Post {n}") for n in range(3)]
    assert delivery.run_once(worker="test:1", limit=2) == 2
    assert Variant.objects.filter(post__in=posts, state="published").count() == 2
    assert delivery.run_once(worker="test:1") == 1
    assert delivery.run_once(worker="test:1") == 0


def dead_pid() -> int:
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid -= 1


def stuck(acme: Workspace, text: str, claimed_by: str, *, age: dt.timedelta = dt.timedelta(0)) -> Variant:
    claimed = claim(acme, text)
    Variant.objects.filter(pk=claimed.pk).update(claimed_by=claimed_by, claimed_at=now() - age)
    return Variant.objects.get(pk=claimed.pk)


def test_a_claim_left_by_a_dead_process_of_this_machine_is_taken_back_at_once(acme: Workspace, hook: ChannelAccount) -> None:
    variant = stuck(acme, "Orphan", f"{socket.gethostname()}:{dead_pid()}")
    assert delivery.recover_stale(worker="test:1") == 1
    variant.refresh_from_db()
    assert (variant.state, variant.check_first, variant.claimed_by, variant.claimed_at) == ("scheduled", True, "", None)
    [attempt] = variant.attempt_rows.all()
    assert (attempt.outcome, attempt.detail) == ("interrupted", "the worker stopped before recording an outcome")
    assert attempt.finished_at is not None
    delivery.run_once(worker="test:2")  # the next attempt is numbered after the interrupted one
    assert list(variant.attempt_rows.values_list("number", "outcome")) == [(1, "interrupted"), (2, "published")]


def test_a_claim_of_a_running_worker_or_another_machine_waits_for_the_lease(acme: Workspace, hook: ChannelAccount, settings: Any) -> None:
    settings.PUBLISH_LEASE_SECONDS = 300
    alive = stuck(acme, "Alive", f"{socket.gethostname()}:{os.getpid()}", age=dt.timedelta(seconds=290))
    elsewhere = stuck(acme, "Elsewhere", "other-host:1", age=dt.timedelta(seconds=290))
    mine = stuck(acme, "Mine", "test:1", age=dt.timedelta(seconds=290))
    assert delivery.recover_stale(worker="test:1") == 0
    assert set(Variant.objects.filter(pk__in=[alive.pk, elsewhere.pk, mine.pk]).values_list("state", flat=True)) == {"publishing"}
    Variant.objects.filter(pk__in=[alive.pk, elsewhere.pk]).update(claimed_at=now() - dt.timedelta(seconds=310))
    assert delivery.recover_stale(worker="test:1") == 2
    assert Variant.objects.get(pk=alive.pk).state == "scheduled"
    assert Variant.objects.get(pk=elsewhere.pk).state == "scheduled"
    assert Variant.objects.get(pk=mine.pk).state == "publishing"


def test_the_lease_is_five_minutes_unless_configured(settings: Any) -> None:
    del settings.PUBLISH_LEASE_SECONDS
    assert delivery.lease() == dt.timedelta(minutes=5)
    settings.PUBLISH_LEASE_SECONDS = 42
    assert delivery.lease() == dt.timedelta(seconds=42)


def test_a_recovered_post_is_looked_up_before_it_is_sent_again(acme: Workspace, hook: ChannelAccount) -> None:
    variant = stuck(acme, "Once only", f"{socket.gethostname()}:{dead_pid()}")
    delivery.run_once(worker="test:1")
    variant.refresh_from_db()
    assert variant.state == "published"
    assert variant.check_first is False
    assert list(variant.attempt_rows.order_by("pk").values_list("outcome", flat=True)) in (
        ["interrupted", "published"],
        ["interrupted", "already_published"],
    )


def test_the_post_follows_its_variants_once_none_is_waiting(acme: Workspace, hook: ChannelAccount) -> None:
    post = actions.create_post(
        workspace=acme,
        actor=None,
        data=actions.PostInput(
            variants=[actions.VariantInput(HOOK, "Two ways"), actions.VariantInput("acme-help", "Two ways, also")],
            objective_id="eu-awareness",
        ),
    )
    actions.approve(post=post, actor=None)
    actions.schedule(post=post, actor=None, at=now() + dt.timedelta(minutes=5))
    Variant.objects.filter(post=post, channel_id=HOOK).update(next_attempt_at=now(), due_at=now())
    delivery.run_once(worker="test:1")
    assert Post.objects.get(pk=post.pk).state == "scheduled"  # acme-help still waits
    Variant.objects.filter(post=post, channel_id="acme-help").update(next_attempt_at=now(), due_at=now())
    delivery.run_once(worker="test:1")  # acme-help is not connected: failed
    post.refresh_from_db()
    assert post.state == "failed"
    assert list(post.events.order_by("pk").values_list("kind", flat=True))[-1] == "failed"


@pytest.mark.parametrize(
    ("other", "expected"),
    [("published", "published"), ("missed", "missed"), ("failed", "failed"), ("unconfirmed", "unconfirmed")],
)
def test_a_post_takes_the_state_that_most_needs_a_person(acme: Workspace, hook: ChannelAccount, other: str, expected: str) -> None:
    post = actions.create_post(
        workspace=acme,
        actor=None,
        data=actions.PostInput(
            variants=[actions.VariantInput(HOOK, "Mixed fates"), actions.VariantInput("acme-help", "Mixed, too")],
            objective_id="eu-awareness",
        ),
    )
    actions.approve(post=post, actor=None)
    actions.schedule(post=post, actor=None, at=now() + dt.timedelta(minutes=5))
    Variant.objects.filter(post=post, channel_id="acme-help").update(state=other)
    Variant.objects.filter(post=post, channel_id=HOOK).update(next_attempt_at=now(), due_at=now())
    delivery.run_once(worker="test:1")
    post.refresh_from_db()
    assert post.state == expected
    assert post.events.filter(kind=expected).count() == 1


def test_a_refusal_is_written_on_its_attempt(acme: Workspace, hook: ChannelAccount) -> None:
    Receiver.answers = [422]
    variant = deliver_due(acme, "Refused")
    [attempt] = variant.attempt_rows.all()
    assert (attempt.outcome, attempt.detail) == ("permanent", variant.last_error)
    assert attempt.detail
    assert attempt.finished_at is not None
    assert attempt.finished_at >= attempt.started_at


def run_until_settled(variant: Variant, *, clear_rate_limit: ChannelAccount | None = None) -> Variant:
    while variant.state == "scheduled":
        if clear_rate_limit is not None:
            ChannelAccount.objects.filter(pk=clear_rate_limit.pk).update(rate_limited_until=None)
        Variant.objects.filter(pk=variant.pk).update(next_attempt_at=now())
        delivery.run_once(worker="test:1")
        variant.refresh_from_db()
    return variant


def test_waits_for_a_rate_limit_between_failures_are_not_counted_as_tries(acme: Workspace, hook: ChannelAccount) -> None:
    Receiver.answers = [429] * 3 + [503] * delivery.MAX_ATTEMPTS
    variant = run_until_settled(deliver_due(acme, "Patient, then down"), clear_rate_limit=hook)
    assert len(Receiver.bodies) == 3 + delivery.MAX_ATTEMPTS
    assert (variant.state, variant.attempts) == ("failed", 8)
    assert variant.last_error.startswith("gave up after 8 attempts: ")


def test_only_scheduling_the_post_again_gives_it_fresh_tries(acme: Workspace, hook: ChannelAccount) -> None:
    Receiver.answers = [503] * 100
    post = due_post(acme, HOOK, "Down for long")
    variant = Variant.objects.get(post=post)
    for _ in range(3):
        Variant.objects.filter(pk=variant.pk).update(next_attempt_at=now())
        delivery.run_once(worker="test:1")
    variant.refresh_from_db()
    assert (variant.state, variant.claimed_by, variant.claimed_at) == ("scheduled", "", None)  # no claim is left behind
    attempts = list(variant.attempt_rows.order_by("pk"))
    assert [(a.number, a.outcome, a.detail) for a in attempts] == [
        (n, "transient", "the receiver failed to take the delivery (HTTP 503); trying again later") for n in (1, 2, 3)
    ]
    assert all(a.finished_at is not None and a.finished_at >= a.started_at for a in attempts)
    # A comment on this post and another post scheduled meanwhile change nothing.
    actions.comment(post=post, actor=None, text="Still down?")
    other = actions.create_post(
        workspace=acme, actor=None, data=actions.PostInput(variants=[actions.VariantInput(HOOK, "Another")], objective_id="eu-awareness")
    )
    actions.approve(post=other, actor=None)
    actions.schedule(post=other, actor=None, at=now() + dt.timedelta(days=1))
    variant = run_until_settled(Variant.objects.get(pk=variant.pk))
    assert len(Receiver.bodies) == 8
    assert (variant.state, variant.attempts) == ("failed", 8)
    # Scheduled again: eight tries more, numbered on from before.
    actions.schedule(post=post, actor=None, at=now() + dt.timedelta(minutes=5))
    variant = run_until_settled(Variant.objects.get(pk=variant.pk))
    assert len(Receiver.bodies) == 16
    assert (variant.state, variant.attempts) == ("failed", 16)
    assert variant.last_error.startswith("gave up after 16 attempts: ")


def test_a_post_taken_back_and_scheduled_again_gets_fresh_tries(acme: Workspace, hook: ChannelAccount) -> None:
    Receiver.answers = [503] * 100
    post = due_post(acme, HOOK, "Taken back")
    variant = Variant.objects.get(post=post)
    for _ in range(4):
        Variant.objects.filter(pk=variant.pk).update(next_attempt_at=now())
        delivery.run_once(worker="test:1")
    actions.unschedule(post=post, actor=None)
    actions.schedule(post=post, actor=None, at=now() + dt.timedelta(minutes=5))
    assert list(post.events.order_by("pk").values_list("kind", flat=True))[-2:] == ["unscheduled", "scheduled"]
    variant = run_until_settled(Variant.objects.get(pk=variant.pk))
    assert len(Receiver.bodies) == 4 + 8
    assert (variant.state, variant.attempts) == ("failed", 12)


def test_a_receiver_that_never_answers_is_left_to_a_person_after_eight_tries(acme: Workspace, hook: ChannelAccount) -> None:
    Receiver.answers = [0] * delivery.MAX_ATTEMPTS
    text = "An announcement far longer than the sixty characters a notification quotes of it"
    variant = run_until_settled(deliver_due(acme, text))
    assert len(Receiver.bodies) == 8
    assert (variant.state, variant.attempts, variant.post.state) == ("unconfirmed", 8, "unconfirmed")
    assert (variant.claimed_by, variant.claimed_at) == ("", None)
    assert variant.last_error.startswith("gave up after 8 attempts: ")
    assert set(variant.attempt_rows.values_list("outcome", flat=True)) == {"unknown"}
    [notice] = notices(acme)
    assert notice.startswith(f"{text[:60]} on {HOOK}: unconfirmed. gave up after 8 attempts: ")


def test_a_thread_goes_out_in_order_with_its_link_on_the_first_part_only(acme: Workspace, hook: ChannelAccount) -> None:
    post = actions.create_post(
        workspace=acme,
        actor=None,
        data=actions.PostInput(
            variants=[actions.VariantInput(HOOK, "First part", link="https://acme.example/a", thread=("Second part", "Third part"))],
            title="Thread",
            objective_id="eu-awareness",
        ),
    )
    actions.approve(post=post, actor=None)
    actions.schedule(post=post, actor=None, at=now() + dt.timedelta(minutes=5))
    Variant.objects.filter(post=post).update(next_attempt_at=now(), due_at=now())
    delivery.run_once(worker="test:1")
    [body] = Receiver.bodies
    sent = json.loads(body)
    assert sent["title"] == "Thread"
    assert sent["parts"] == [
        {"text": "First part", "link": "https://acme.example/a"},
        {"text": "Second part", "link": ""},
        {"text": "Third part", "link": ""},
    ]


def test_a_variant_of_a_deleted_post_left_in_the_queue_is_taken_off_it_without_a_call(acme: Workspace, hook: ChannelAccount) -> None:
    post = due_post(acme, HOOK, "Deleted meanwhile")
    Post.objects.filter(pk=post.pk).update(deleted_at=now())  # as if deleting had missed this variant
    assert delivery.run_once(worker="test:1") == 1
    variant = Variant.objects.get(post=post)
    assert (variant.state, variant.next_attempt_at, variant.claimed_by, variant.claimed_at) == ("pending", None, "", None)
    assert not variant.attempt_rows.exists()
    assert Receiver.bodies == []
    assert notices(acme) == []
    assert delivery.run_once(worker="test:1") == 0


def test_one_run_sends_each_post_through_its_own_channel(acme: Workspace, hook: ChannelAccount) -> None:
    put_element(
        workspace=acme,
        author=None,
        kind=KINDS["channels"],
        element_id=None,
        element={"id": "acme-hook-2", "platform": "webhook", "handle": "acme-hook-2", "purpose": "educating"},
    )
    actions.connect_channel(
        workspace=acme, actor=None, channel_id="acme-hook-2", service=hook.service.replace("/hook", "/two"), handle="two", secret="s"
    )
    due_post(acme, HOOK, "Through the first")
    due_post(acme, "acme-hook-2", "Through the second")
    assert delivery.run_once(worker="test:1") == 2
    assert sorted(zip(Receiver.paths, (json.loads(b)["parts"][0]["text"] for b in Receiver.bodies), strict=True)) == [
        ("/hook", "Through the first"),
        ("/two", "Through the second"),
    ]
