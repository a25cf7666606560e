"""An attempt whose outcome is unknown, but which did land, is never published a second time:
the retry looks first. On Mastodon and the webhook the look is publishing again with the same
Idempotency-Key (the receiver answers with what it already has); an e-mail cannot be looked up,
so it goes to a person as "unconfirmed" and is not sent again. Counted on the receiving server.

Mastodon here is mastodon-mock, a FAKE of the Mastodon REST API (no real Mastodon installs
here), reached through a proxy in the test that loses the answer to one request after the fake
has acted on it. The webhook receiver and the SMTP server (aiosmtpd) are real servers on 127.0.0.1.
The Bluesky PDS has its own test in test_publish_bluesky.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx
import pytest
from aiosmtpd.controller import Controller
from django.utils.timezone import now
from mastodon import Mastodon
from mastodon_mock.testing import MockServer

from strata.accounts.models import Workspace
from strata.platforms.base import Outgoing, Part
from strata.platforms.registry import adapter_for
from strata.publishing import actions, delivery
from strata.publishing.models import ChannelAccount, Variant
from tests.posts import due_post
from tests.servers.pds import free_port
from tests.test_publish_feed_mail_webhook import Inbox, add_channel, connect_newsletter


def serve(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def retry_now(variant: Variant) -> None:
    Variant.objects.filter(pk=variant.pk).update(next_attempt_at=now())
    delivery.run_once(worker="test:1")
    variant.refresh_from_db()


def outcomes(variant: Variant) -> list[str]:
    # A claim taken back from a dead worker keeps its count, so the retry's attempt has the same
    # number as the interrupted one: the order they were written in tells them apart.
    return list(variant.attempt_rows.order_by("number", "pk").values_list("outcome", flat=True))


def worker_dies_after_publishing(account: ChannelAccount) -> Variant:
    """A worker claims the due variant, the platform takes it, and the worker dies before it
    records the outcome; it is found when its lease has run out."""
    claimed = delivery.claim_due(worker="otherhost:1")
    assert claimed is not None
    parts = tuple(Part(text=text, link=claimed.link if index == 0 else "") for index, text in enumerate(claimed.parts))
    adapter = adapter_for(claimed.platform)
    assert adapter is not None
    outgoing = Outgoing(parts=parts, keys=tuple(claimed.keys), title=claimed.title, reply_to=claimed.reply_to)
    adapter.publish(account.credentials(), outgoing)
    Variant.objects.filter(pk=claimed.pk).update(claimed_at=now() - delivery.lease() - dt.timedelta(minutes=1))
    return Variant.objects.get(pk=claimed.pk)


# Mastodon (the FAKE, mastodon-mock)


class LosingProxy(BaseHTTPRequestHandler):
    """Passes every request on to the fake; for a request in `lose`, the fake acts on it and the
    answer never comes back (the connection is closed), as when a network drops mid-answer."""

    upstream = ""
    lose: ClassVar[list[tuple[str, str]]] = []
    seen: ClassVar[list[tuple[str, str, str]]] = []  # method, path, Idempotency-Key

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        path = urlsplit(self.path).path
        type(self).seen.append((self.command, path, self.headers.get("idempotency-key", "")))
        skip = {"host", "content-length", "connection", "accept-encoding"}
        headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
        answer = httpx.request(self.command, self.upstream + self.path, headers=headers, content=body)
        if (self.command, path) in self.lose:
            self.lose.remove((self.command, path))
            self.close_connection = True
            return
        self.send_response(answer.status_code)
        for key, value in answer.headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                self.send_header(key, value)
        self.send_header("content-length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_POST = do_PUT = do_DELETE = _forward

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def fake_mastodon() -> Iterator[MockServer]:
    """The FAKE Mastodon server (mastodon-mock), with the seeded account alice."""
    with MockServer() as server:
        yield server


@pytest.fixture
def mastodon(acme: Workspace, fake_mastodon: MockServer) -> Iterator[ChannelAccount]:
    LosingProxy.upstream, LosingProxy.lose, LosingProxy.seen = fake_mastodon.base_url, [], []
    server, url = serve(LosingProxy)
    yield actions.connect_channel(workspace=acme, actor=None, channel_id="acme-mastodon", service=url, handle="alice", secret="alice_token")
    server.shutdown()


def statuses_on_the_fake(server: MockServer, text: str) -> list[str]:
    client = Mastodon(access_token="alice_token", api_base_url=server.base_url, version_check_mode="none")
    me = client.account_verify_credentials()
    return [str(s["id"]) for s in client.account_statuses(me["id"], limit=40) if text in s["content"]]


def test_mastodon_a_status_whose_answer_was_lost_is_not_posted_twice(mastodon: ChannelAccount, fake_mastodon: MockServer) -> None:
    text = "Lost answer, one status on Mastodon"
    post = due_post(mastodon.workspace, "acme-mastodon", text)
    LosingProxy.lose.append(("POST", "/api/v1/statuses"))
    delivery.run_once(worker="test:1")
    variant = post.variants.get()
    assert (variant.state, variant.check_first) == ("scheduled", True)  # not known to have gone out
    [made] = statuses_on_the_fake(fake_mastodon, text)  # but it did

    retry_now(variant)
    assert variant.state == "published"
    assert variant.remote_id == made
    assert statuses_on_the_fake(fake_mastodon, text) == [made]
    asked = [key for method, path, key in LosingProxy.seen if (method, path) == ("POST", "/api/v1/statuses")]
    assert asked == [variant.keys[0]] * 2  # asked again, with the same key
    assert outcomes(variant) == ["unknown", "published"]


def test_mastodon_a_worker_that_died_after_posting_leaves_one_status(mastodon: ChannelAccount, fake_mastodon: MockServer) -> None:
    text = "Worker died, one status on Mastodon"
    due_post(mastodon.workspace, "acme-mastodon", text)
    variant = worker_dies_after_publishing(mastodon)
    [made] = statuses_on_the_fake(fake_mastodon, text)
    delivery.run_once(worker="test:1")
    variant.refresh_from_db()
    assert (variant.state, variant.remote_id) == ("published", made)
    assert statuses_on_the_fake(fake_mastodon, text) == [made]
    assert outcomes(variant) == ["interrupted", "published"]


# The webhook (a real receiver on 127.0.0.1)


class Receiver(BaseHTTPRequestHandler):
    """A receiver as the webhook's documentation asks for: it keeps one delivery per
    Idempotency-Key. It can lose its answer to the first request after taking the delivery."""

    deliveries: ClassVar[dict[str, bytes]] = {}
    requests: ClassVar[list[tuple[str, str, bytes]]] = []  # key, signature, body
    lose_first_answer = False

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        key = self.headers.get("idempotency-key", "")
        type(self).requests.append((key, self.headers.get("x-strata-signature", ""), body))
        type(self).deliveries.setdefault(key, body)
        if type(self).lose_first_answer:
            type(self).lose_first_answer = False
            self.close_connection = True
            return
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook(acme: Workspace) -> Iterator[ChannelAccount]:
    Receiver.deliveries, Receiver.requests, Receiver.lose_first_answer = {}, [], False
    server, url = serve(Receiver)
    add_channel(acme, "acme-hook", "webhook")
    yield actions.connect_channel(workspace=acme, actor=None, channel_id="acme-hook", service=f"{url}/hook", handle="hook", secret="s3")
    server.shutdown()


def test_webhook_a_delivery_whose_answer_was_lost_is_delivered_once(webhook: ChannelAccount) -> None:
    post = due_post(webhook.workspace, "acme-hook", "Lost answer, one delivery")
    Receiver.lose_first_answer = True
    delivery.run_once(worker="test:1")
    variant = post.variants.get()
    assert (variant.state, variant.check_first) == ("scheduled", True)
    assert len(Receiver.deliveries) == 1

    retry_now(variant)
    assert variant.state == "published"
    assert list(Receiver.deliveries) == [variant.keys[0]]  # one delivery on the receiver
    assert [key for key, _, _ in Receiver.requests] == [variant.keys[0]] * 2  # asked twice, same key
    for _, signature, body in Receiver.requests:
        assert signature == "sha256=" + hmac.new(b"s3", body, hashlib.sha256).hexdigest()
    assert outcomes(variant) == ["unknown", "published"]


def test_webhook_a_worker_that_died_after_delivering_leaves_one_delivery(webhook: ChannelAccount) -> None:
    due_post(webhook.workspace, "acme-hook", "Worker died, one delivery")
    variant = worker_dies_after_publishing(webhook)
    delivery.run_once(worker="test:1")
    variant.refresh_from_db()
    assert variant.state == "published"
    assert list(Receiver.deliveries) == [variant.keys[0]]
    assert outcomes(variant) == ["interrupted", "published"]


# The newsletter (a real SMTP server, aiosmtpd): it cannot be asked


@pytest.fixture
def newsletter(acme: Workspace) -> Iterator[tuple[ChannelAccount, Inbox]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    connect_newsletter(acme, port)
    yield ChannelAccount.objects.get(workspace=acme, channel_id="acme-news"), inbox
    controller.stop()


def test_newsletter_a_worker_that_died_after_sending_goes_to_a_person_and_is_not_sent_again(
    newsletter: tuple[ChannelAccount, Inbox],
) -> None:
    account, inbox = newsletter
    due_post(account.workspace, "acme-news", "Worker died, one newsletter")
    variant = worker_dies_after_publishing(account)
    assert len(inbox.messages) == 1  # it went out

    delivery.run_once(worker="test:1")
    variant.refresh_from_db()
    assert variant.state == "unconfirmed"
    assert "an earlier attempt may have gone out" in variant.last_error
    assert variant.post.notifications.filter(text__contains="unconfirmed").exists()
    assert len(inbox.messages) == 1

    retry_now(variant)  # nothing is due: a person decides
    assert variant.state == "unconfirmed"
    assert len(inbox.messages) == 1
    assert outcomes(variant) == ["interrupted", "unknown"]
