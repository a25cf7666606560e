"""The channels Strata serves or sends itself: an Atom feed (read back with feedparser), an
e-mail newsletter (to a real SMTP server, aiosmtpd), and a signed webhook (to a local server)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import feedparser
import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.utils.timezone import now

from strata.accounts.actions import ActionError
from strata.accounts.models import Workspace
from strata.platforms.newsletter import adapter as newsletter
from strata.publishing import actions, delivery
from strata.publishing.models import ChannelAccount, Post, Variant
from strata.strategy.actions import put_element
from strata.strategy.elements import KINDS
from tests.posts import due_post
from tests.servers.pds import free_port


def add_channel(workspace: Workspace, channel_id: str, platform: str) -> None:
    put_element(
        workspace=workspace,
        author=None,
        kind=KINDS["channels"],
        element_id=None,
        element={"id": channel_id, "platform": platform, "handle": channel_id, "purpose": "educating"},
    )


def publish(workspace: Workspace, channel_id: str, text: str, title: str = "") -> Variant:
    post = due_post(workspace, channel_id, text, title=title, link="https://acme.example/news")
    delivery.run_once(worker="test:1")
    return post.variants.get()


def connect_newsletter(workspace: Workspace, port: int, *, verify: bool = True) -> None:
    add_channel(workspace, "acme-news", "newsletter")
    actions.connect_channel(
        workspace=workspace,
        actor=None,
        channel_id="acme-news",
        service=f"smtp://127.0.0.1:{port}/?to=list@acme.example",
        handle="news@acme.example",
        secret="",
        verify=verify,
    )


def test_the_feed_lists_published_entries(acme: Workspace) -> None:
    add_channel(acme, "acme-feed", "rss")
    actions.connect_channel(
        workspace=acme, actor=None, channel_id="acme-feed", service="http://testserver/feeds/acme/acme-feed.atom", handle="feed", secret=""
    )
    variant = publish(acme, "acme-feed", "Winter riding: the complete guide <b>with</b> lights", title="Winter guide")
    assert variant.state == "published"
    response = Client().get("/feeds/acme/acme-feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    [entry] = parsed.entries
    assert entry.title == "Winter guide"
    assert "the complete guide <b>with</b> lights" in entry.summary
    assert entry.id == variant.remote_id
    assert Client().get("/feeds/acme/acme-bsky.atom").status_code == 404


class Inbox:
    def __init__(self, delay: float = 0) -> None:
        self.messages: list[bytes] = []
        self.delay = delay

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def mail_server() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_the_newsletter_goes_out_over_smtp(acme: Workspace, mail_server: tuple[Inbox, int]) -> None:
    inbox, port = mail_server
    connect_newsletter(acme, port)
    variant = publish(acme, "acme-news", "This month: three new routes and a workshop.", title="Acme news, December")
    assert variant.state == "published"
    [raw] = inbox.messages
    text = raw.decode()
    assert "Subject: Acme news, December" in text
    assert "To: list@acme.example" in text
    assert f"Message-ID: <{variant.keys[0]}@acme.example>" in text
    assert "https://acme.example/news" in text


def test_a_newsletter_whose_fate_is_unknown_is_left_to_a_person(
    acme: Workspace, mail_server: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = mail_server
    inbox.delay = 3  # the server takes the message but answers after the client gave up
    monkeypatch.setattr(newsletter, "TIMEOUT", 1)
    connect_newsletter(acme, port, verify=False)
    variant = publish(acme, "acme-news", "Did this go out?")
    assert variant.state == "unconfirmed"
    variant.post.refresh_from_db()
    assert variant.post.state == "unconfirmed"
    assert variant.post.notifications.exists()
    delivery.run_once(worker="test:1")  # never retried on its own
    assert Variant.objects.get(pk=variant.pk).attempts == 1

    # The person finds it did not arrive, and sends it again; this time the server is quick.
    with pytest.raises(ActionError, match="say first whether it did"):
        actions.schedule(post=variant.post, actor=None, at=now() + dt.timedelta(minutes=1))
    actions.settle_unconfirmed(post=variant.post, actor=None, channel_id="acme-news", went_out=False)
    variant.post.refresh_from_db()
    assert variant.post.state == "failed"
    inbox.delay = 0
    actions.schedule(post=variant.post, actor=None, at=now() + dt.timedelta(seconds=1))
    Variant.objects.filter(pk=variant.pk).update(next_attempt_at=now(), due_at=now())
    delivery.run_once(worker="test:1")
    variant.refresh_from_db()
    assert (variant.state, variant.attempts) == ("published", 2)
    assert not variant.check_first  # a person looked: no check that a newsletter cannot make
    variant.post.refresh_from_db()
    assert variant.post.state == "published"
    assert [e.kind for e in variant.post.events.order_by("pk")][-4:] == ["did_not_go_out", "failed", "rescheduled", "published"]


def test_a_person_can_say_an_unconfirmed_newsletter_went_out(acme: Workspace, mail_server: tuple[Inbox, int]) -> None:
    inbox, port = mail_server
    connect_newsletter(acme, port)
    post = actions.create_post(
        workspace=acme,
        actor=None,
        data=actions.PostInput(variants=[actions.VariantInput("acme-news", "Hello")], objective_id="eu-awareness"),
    )
    with pytest.raises(ActionError, match="only a variant whose outcome is unknown"):
        actions.settle_unconfirmed(post=post, actor=None, channel_id="acme-news", went_out=True)
    Variant.objects.filter(post=post).update(state="unconfirmed")
    Post.objects.filter(pk=post.pk).update(state="unconfirmed")
    actions.settle_unconfirmed(post=post, actor=None, channel_id="acme-news", went_out=True)
    post.refresh_from_db()
    assert post.state == "published"
    assert post.variants.get().published_at is not None
    assert inbox.messages == []  # nothing was sent again


class Receiver(BaseHTTPRequestHandler):
    requests: list[tuple[dict[str, str], bytes]] = []
    answers: list[int] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        type(self).requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
        status = type(self).answers.pop(0) if type(self).answers else 200
        self.send_response(status)
        if status == 429:
            self.send_header("retry-after", "120")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.requests, Receiver.answers = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_the_webhook_is_signed_and_carries_its_key(acme: Workspace, receiver: str) -> None:
    add_channel(acme, "acme-hook", "webhook")
    actions.connect_channel(workspace=acme, actor=None, channel_id="acme-hook", service=receiver, handle="hook", secret="shared-secret")
    stored = ChannelAccount.objects.get(channel_id="acme-hook")
    assert "shared-secret" not in stored.secret  # stored encrypted
    assert stored.credentials().secret == "shared-secret"
    variant = publish(acme, "acme-hook", "Ping")
    assert variant.state == "published"
    [(headers, body)] = Receiver.requests
    expected = "sha256=" + hmac.new(b"shared-secret", body, hashlib.sha256).hexdigest()
    assert headers["x-strata-signature"] == expected
    assert headers["idempotency-key"] == variant.keys[0]
    assert json.loads(body)["parts"] == [{"text": "Ping", "link": "https://acme.example/news"}]


def test_webhook_errors_retry_or_wait_as_the_receiver_says(acme: Workspace, receiver: str) -> None:
    add_channel(acme, "acme-hook", "webhook")
    actions.connect_channel(workspace=acme, actor=None, channel_id="acme-hook", service=receiver, handle="hook", secret="s")
    Receiver.answers = [503]
    variant = publish(acme, "acme-hook", "Retry me")
    assert (variant.state, variant.attempts) == ("scheduled", 1)
    assert variant.next_attempt_at is not None
    assert variant.next_attempt_at > now()
    Variant.objects.filter(pk=variant.pk).update(next_attempt_at=now())
    Receiver.answers = [429]
    delivery.run_once(worker="test:1")
    account = ChannelAccount.objects.get(channel_id="acme-hook")
    assert account.rate_limited_until is not None
    assert account.rate_limited_until > now() + dt.timedelta(seconds=100)
    Variant.objects.filter(pk=variant.pk).update(next_attempt_at=now())
    delivery.run_once(worker="test:1")  # still limited: no call is made
    assert len(Receiver.requests) == 2
    outcomes = list(Variant.objects.get(pk=variant.pk).attempt_rows.values_list("outcome", flat=True))
    assert outcomes == ["transient", "rate_limited"]


def test_a_post_that_failed_for_good_can_be_sent_again_with_a_fresh_allowance(acme: Workspace, receiver: str) -> None:
    add_channel(acme, "acme-hook", "webhook")
    actions.connect_channel(workspace=acme, actor=None, channel_id="acme-hook", service=receiver, handle="hook", secret="s")
    Receiver.answers = [503] * delivery.MAX_ATTEMPTS
    variant = publish(acme, "acme-hook", "Down all day")
    while variant.state == "scheduled":
        Variant.objects.filter(pk=variant.pk).update(next_attempt_at=now())
        delivery.run_once(worker="test:1")
        variant.refresh_from_db()
    assert variant.state == "failed"
    assert variant.last_error.startswith(f"gave up after {delivery.MAX_ATTEMPTS} attempts")
    assert len(Receiver.requests) == delivery.MAX_ATTEMPTS

    Receiver.answers = [503]  # the receiver is back after one more hiccup
    actions.schedule(post=variant.post, actor=None, at=now() + dt.timedelta(seconds=1))
    for _ in range(2):
        Variant.objects.filter(pk=variant.pk).update(next_attempt_at=now(), due_at=now() - dt.timedelta(seconds=1))
        delivery.run_once(worker="test:1")
    variant.refresh_from_db()
    assert variant.state == "published"
    numbers = list(variant.attempt_rows.order_by("pk").values_list("number", flat=True))
    assert numbers == list(range(1, delivery.MAX_ATTEMPTS + 3))  # numbered on from before


class Garbage(BaseHTTPRequestHandler):
    """A server that answers every request with 200 and an HTML page, as a broken proxy might."""

    def do_GET(self) -> None:
        self._garbage()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self._garbage()

    def _garbage(self) -> None:
        body = b"<html><body>502 upstream sad</body></html>"
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_a_platform_answering_garbage_is_retried_after_a_check_and_nothing_is_lost(acme: Workspace) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        actions.connect_channel(
            workspace=acme,
            actor=None,
            channel_id="acme-mastodon",
            service=f"http://127.0.0.1:{server.server_address[1]}",
            handle="alice",
            secret="t",
            verify=False,
        )
        post = due_post(acme, "acme-mastodon", "Hello")
        delivery.run_once(worker="test:1")
    finally:
        server.shutdown()
    variant = Variant.objects.get(post=post)
    # Not published, not dropped, not called a rejection: back in the queue, and the next
    # attempt checks before it sends (with the same Idempotency-Key).
    assert variant.state == "scheduled"
    assert variant.check_first
    assert "not its API" in variant.last_error
    assert list(variant.attempt_rows.values_list("outcome", flat=True)) == ["unknown"]
