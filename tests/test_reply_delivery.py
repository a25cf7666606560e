"""Replies: an answer in a conversation goes out as a real threaded reply on the platform, through
the same exactly-once delivery as posts (keys chosen before sending, an attempt row, a look
before any retry), and stays out of everything about the content plan.

Bluesky is the real network (PLC, PDS and AppView on 127.0.0.1, tests/servers/network.py);
Mastodon is mastodon-mock, a FAKE of its REST API (no real Mastodon installs here)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from django.test import Client
from mastodon import Mastodon
from mastodon_mock.testing import MockServer

from strata.accounts.actions import ActionError
from strata.accounts.models import Workspace
from strata.platforms.base import Credentials, Outgoing, Part, PermanentError
from strata.platforms.newsletter.adapter import NewsletterAdapter
from strata.platforms.webhook.adapter import WebhookAdapter
from strata.publishing import actions, delivery
from strata.publishing.calendar import render_ical
from strata.publishing.models import ChannelAccount, Post, Variant
from tests.conftest import DEMO_PLAN
from tests.posts import due_post
from tests.servers.isolated import query
from tests.servers.network import BlueskyNetwork, Ref
from tests.servers.pds import BlueskyAccount
from tests.test_ingest_bluesky import connect
from tests.test_publish_feed_mail_webhook import add_channel


def thread(net: BlueskyNetwork, uri: str) -> dict[str, Any]:
    """app.bsky.feed.getPostThread on the AppView: the post, its parents and its replies."""
    got = httpx.get(f"{net.appview_url}/xrpc/app.bsky.feed.getPostThread", params={"uri": uri, "parentHeight": 10}, timeout=30)
    got.raise_for_status()
    found: dict[str, Any] = got.json()["thread"]
    return found


def answers(net: BlueskyNetwork, account: BlueskyAccount, parent: str) -> list[str]:
    """The account's records on its PDS that answer `parent`, whatever the AppView indexed."""
    got = httpx.get(
        f"{net.pds_url}/xrpc/com.atproto.repo.listRecords",
        params={"repo": account.did, "collection": "app.bsky.feed.post", "limit": 100},
        timeout=30,
    )
    got.raise_for_status()
    return [r["uri"] for r in got.json()["records"] if r["value"].get("reply", {}).get("parent", {}).get("uri") == parent]


def outcomes(variant: Variant) -> list[str]:
    # An interrupted attempt and the retry that follows share a number: the order they were written in counts.
    return list(variant.attempt_rows.order_by("number", "pk").values_list("outcome", flat=True))


def test_a_reply_on_bluesky_joins_the_thread_once(acme: Workspace, bsky_network: BlueskyNetwork) -> None:
    net = bsky_network
    brand, fan = net.create_account(), net.create_account()
    connect(acme, net, brand)
    due_post(acme, "acme-bsky", "Three gravel loops for the weekend")
    delivery.run_once(worker="test:1")
    published = Variant.objects.get(post__is_reply=False)
    ours = Ref(published.remote_id, net.record(published.remote_id)["cid"])
    question = net.reply(fan, ours, "Which loop suits a beginner?")

    reply = actions.create_reply(
        workspace=acme, actor=None, channel_id="acme-bsky", text="The river loop: flat, 20 km.", reply_to=question.uri
    )
    assert (reply.state, reply.post.is_reply) == ("scheduled", True)
    assert delivery.run_once(worker="test:1") == 1
    reply.refresh_from_db()
    assert reply.state == "published", reply.last_error
    net.wait_indexed(Ref(reply.remote_id, ""))

    # The AppView shows it where a person would look: under the fan's question, in the brand's thread.
    view = thread(net, reply.remote_id)
    refs = view["post"]["record"]["reply"]
    assert (refs["parent"]["uri"], refs["root"]["uri"]) == (question.uri, ours.uri)
    assert (refs["parent"]["cid"], refs["root"]["cid"]) == (question.cid, ours.cid)
    assert (view["parent"]["post"]["uri"], view["parent"]["parent"]["post"]["uri"]) == (question.uri, ours.uri)
    below = thread(net, question.uri)["replies"]
    assert [r["post"]["uri"] for r in below if r["post"]["author"]["did"] == brand.did] == [reply.remote_id]

    # Delivering again sends nothing.
    assert delivery.run_once(worker="test:1") == 0
    assert answers(net, brand, question.uri) == [reply.remote_id]
    assert outcomes(reply) == ["published"]

    # An answer to a post deleted meanwhile fails in plain words, and nothing is posted.
    gone = net.reply(fan, ours, "Never mind, found it")
    net.client(fan).delete_post(gone.uri)
    late = actions.create_reply(workspace=acme, actor=None, channel_id="acme-bsky", text="Glad you did!", reply_to=gone.uri)
    delivery.run_once(worker="test:1")
    late.refresh_from_db()
    assert (late.state, late.last_error) == ("failed", "the post being answered was deleted")
    assert answers(net, brand, gone.uri) == []


class Stalling(BaseHTTPRequestHandler):
    """Between the worker and the PDS: passes every request on, but once the PDS has made a
    record, its answer never comes back; the worker is killed while it waits for it."""

    upstream = ""
    landed: ClassVar[threading.Event] = threading.Event()
    release: ClassVar[threading.Event] = threading.Event()

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        skip = {"host", "content-length", "connection", "accept-encoding"}
        headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
        answer = httpx.request(self.command, self.upstream + self.path, headers=headers, content=body, timeout=30)
        if self.path.startswith("/xrpc/com.atproto.repo.createRecord") and answer.status_code == 200:
            type(self).landed.set()
            type(self).release.wait(120)
            self.close_connection = True
            return
        self.send_response(answer.status_code)
        for key, value in answer.headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                self.send_header(key, value)
        self.send_header("content-length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_POST = _forward

    def log_message(self, *args: Any) -> None:
        pass


# `strata migrate` and `strata plan import` (through call_command), then the reply, in one process:
# each Strata process takes seconds to start.
REPLY = """
import io, sys, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("plan", "import", sys.argv[6], "--workspace", "acme", stdout=io.StringIO())
from strata.accounts.actions import ActionError
from strata.accounts.models import Workspace
from strata.publishing import actions
workspace = Workspace.objects.get(slug="acme")
actions.connect_channel(workspace=workspace, actor=None, channel_id="acme-bsky", service=sys.argv[1], handle=sys.argv[2], secret=sys.argv[3])
print(actions.create_reply(workspace=workspace, actor=None, channel_id="acme-bsky", text=sys.argv[4], reply_to=sys.argv[5]).pk)
"""


def state(database: str, variant: str) -> tuple[object, object, list[object]]:
    """The variant's state, remote id and its attempts' outcomes, read from the database directly."""
    [(current, remote_id)] = query(database, f"SELECT state, remote_id FROM publishing_variant WHERE id = {int(variant)}")
    tried = query(database, f"SELECT outcome FROM publishing_attempt WHERE variant_id = {int(variant)} ORDER BY number, id")
    return current, remote_id, [outcome for (outcome,) in tried]


@pytest.fixture
def stalling(bsky_network: BlueskyNetwork) -> Iterator[str]:
    Stalling.upstream, Stalling.landed, Stalling.release = bsky_network.pds_url, threading.Event(), threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stalling)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    Stalling.release.set()
    server.shutdown()


def test_a_worker_killed_while_replying_leaves_one_reply(
    bsky_network: BlueskyNetwork, stalling: str, own_database: str, tmp_path: Path
) -> None:
    net = bsky_network
    brand, fan = net.create_account(), net.create_account()
    ours = net.post(brand, "Ask us about winter tyres")
    question = net.reply(fan, ours, "Studs or no studs?")

    env = {**os.environ, "DATABASE_URL": own_database, "STRATA_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "strata.settings"}

    def run(*args: str) -> str:
        return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=300, check=True).stdout

    variant = run("-c", REPLY, stalling, brand.handle, brand.app_password, "Studs, below minus five", question.uri, str(DEMO_PLAN)).strip()

    worker = subprocess.Popen([sys.executable, "-m", "strata.cli", "worker", "--interval", "0.2"], env=env, stdout=subprocess.DEVNULL)
    try:
        assert Stalling.landed.wait(120), "the worker never sent the reply"
    finally:
        worker.send_signal(signal.SIGKILL)  # the reply is on the PDS; the worker never learns it
        worker.wait()
    Stalling.release.set()
    assert state(own_database, variant)[0] == "publishing"

    run("-m", "strata.cli", "worker", "--once")  # takes back the dead worker's claim and looks first
    published, remote_id, tried = state(own_database, variant)
    assert (published, tried) == ("published", ["interrupted", "already_published"])
    assert answers(net, brand, question.uri) == [remote_id]
    assert net.record(remote_id)["value"]["reply"]["root"]["uri"] == ours.uri


@pytest.fixture(scope="module")
def fake_mastodon() -> Iterator[MockServer]:
    """The FAKE Mastodon server (mastodon-mock), with the seeded account alice."""
    with MockServer() as server:
        yield server


@pytest.fixture
def mastodon(acme: Workspace, fake_mastodon: MockServer) -> Mastodon:
    actions.connect_channel(
        workspace=acme, actor=None, channel_id="acme-mastodon", service=fake_mastodon.base_url, handle="alice", secret="alice_token"
    )
    return Mastodon(access_token="alice_token", api_base_url=fake_mastodon.base_url, version_check_mode="none")


def test_a_reply_on_mastodon_is_a_status_in_reply_to_the_one_it_answers(acme: Workspace, mastodon: Mastodon) -> None:
    question = mastodon.status_post("Do you service e-bikes too?")
    reply = actions.create_reply(
        workspace=acme, actor=None, channel_id="acme-mastodon", text="We do, on weekdays.", reply_to=str(question["id"])
    )
    assert delivery.run_once(worker="test:1") == 1
    reply.refresh_from_db()
    assert reply.state == "published", reply.last_error
    assert str(mastodon.status(reply.remote_id)["in_reply_to_id"]) == str(question["id"])
    assert delivery.run_once(worker="test:1") == 0
    mine = mastodon.account_statuses(mastodon.account_verify_credentials()["id"], limit=40)
    assert [str(s["id"]) for s in mine if "on weekdays" in s["content"]] == [reply.remote_id]


def test_a_reply_never_shows_where_the_plan_is_planned(acme: Workspace, mastodon: Mastodon, client_for: Callable[[str], Client]) -> None:
    text = "Thanks, glad the fenders fit"
    question = mastodon.status_post("The new fenders fit perfectly")
    reply = actions.create_reply(workspace=acme, actor=None, channel_id="acme-mastodon", text=text, reply_to=str(question["id"]))
    owner = client_for("owner")
    pages = {
        "the month": "/w/acme/calendar/",
        "the week": "/w/acme/calendar/?view=week",
        "the posts list": "/w/acme/posts/",
        "the CSV export": "/w/acme/posts.csv/?download=1",
    }

    def where_it_shows() -> list[str]:
        found = [where for where, url in pages.items() if text in owner.get(url).content.decode()]
        found += ["the calendar feed"] if text in render_ical(acme) else []
        overview = owner.get("/w/acme/").content.decode()
        week = re.search(r'data-panel="this-week".*?</section>', overview, re.S)
        mix = re.search(r'<li data-mix="acme-mastodon">.*?</li>', overview, re.S)
        assert week is not None
        assert mix is not None
        found += [] if "0 posts in the next 7 days" in week.group(0) else ["the overview's week"]
        found += [] if "no posts" in mix.group(0) else ["the mix"]
        return found

    assert where_it_shows() == []  # waiting to go out
    delivery.run_once(worker="test:1")
    reply.refresh_from_db()
    assert reply.state == "published", reply.last_error
    assert where_it_shows() == []  # gone out


def test_a_channel_that_cannot_answer_refuses_a_reply(acme: Workspace) -> None:
    cases = {
        "acme-hook": ("webhook", WebhookAdapter(), "a webhook"),
        "acme-news": ("newsletter", NewsletterAdapter(), "e-mail newsletters"),
    }
    for channel_id, (platform, adapter, name) in cases.items():
        add_channel(acme, channel_id, platform)
        with pytest.raises(actions.ActionError, match=f"^{name} cannot answer a conversation") as refused:
            actions.create_reply(workspace=acme, actor=None, channel_id=channel_id, text="Thanks!", reply_to="123")
        assert refused.value.field == "text"
        # Even handed a reply directly, the adapter refuses before anything leaves the machine.
        with pytest.raises(PermanentError, match=f"^{name} cannot answer a conversation"):
            adapter.publish(
                Credentials("http://127.0.0.1:9/hook", "x@acme.example", "s"), Outgoing((Part("Thanks!"),), ("k1",), reply_to="123")
            )
    assert not Post.objects.filter(workspace=acme).exists()
    assert not ChannelAccount.objects.filter(workspace=acme).exists()


def test_a_mastodon_conversation_taken_offline_is_answered_by_direct_message(acme: Workspace, mastodon: Mastodon) -> None:
    """mastodon-mock is a fake Mastodon (no real server can run here): the status Strata posts
    is private ("direct"), mentions the person so that it reaches them, and answers their post."""
    from strata.engagement.inbox import actions as inbox
    from strata.engagement.inbox import filing
    from strata.engagement.models import Conversation, HeardItem, Source

    complaint = mastodon.status_post("My order arrived broken, and nobody answers the phone")
    source = Source.objects.create(workspace=acme, channel_id="acme-mastodon", platform="mastodon")
    HeardItem.objects.create(
        workspace=acme,
        source=source,
        channel_id="acme-mastodon",
        platform="mastodon",
        remote_id=str(complaint["id"]),
        kind="mention",
        author_id="109",
        author_handle="kai@mastodon.example",
        text="My order arrived broken",
        sentiment="negative",
        created_at=complaint["created_at"],
    )
    filing.file_unfiled()
    conversation = Conversation.objects.get(workspace=acme)
    answer = inbox.answer(conversation=conversation, actor=None, text="So sorry! Send us your order number here?", direct=True)
    assert delivery.run_once(worker="test:1") == 1
    answer.variant.refresh_from_db()
    sent = mastodon.status(answer.variant.remote_id)
    assert (sent["visibility"], str(sent["in_reply_to_id"])) == ("direct", str(complaint["id"]))
    assert "@kai@mastodon.example So sorry!" in re.sub(r"<[^>]+>", "", sent["content"])

    # Bluesky has no direct messages Strata can send: refused, never sent in public.
    with pytest.raises(ActionError, match="bluesky has no direct messages"):
        actions.create_reply(
            workspace=acme, actor=None, channel_id="acme-bsky", text="Hi", reply_to="at://x/app.bsky.feed.post/1", direct=True
        )


def test_a_reply_says_what_it_answers_on_its_page_and_over_the_api(
    acme: Workspace, mastodon: Mastodon, client_for: Callable[[str], Client]
) -> None:
    question = mastodon.status_post("Do the fenders fit the Commuter 3?")
    reply = actions.create_reply(
        workspace=acme, actor=None, channel_id="acme-mastodon", text="They do: both sizes.", reply_to=str(question["id"])
    )
    owner = client_for("owner")
    page = owner.get(f"/w/acme/posts/{reply.post_id}/").content.decode()
    assert "Duplicate" not in page, "a copy of a reply would go out as a new post answering nobody"
    body = owner.get(f"/api/v1/workspaces/acme/posts/{reply.post_id}").json()
    assert body["is_reply"] is True
    assert body["variants"][0]["reply_to"] == str(question["id"])
    assert body["variants"][0]["direct"] is False
