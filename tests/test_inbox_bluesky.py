"""The inbox's round trip on a real Bluesky network (PLC, PDS and AppView on 127.0.0.1), answered
in a real browser by keyboard alone: a complaint arrives, the response plan routes it, the
responder answers from the inbox, and the answer is a reply in the thread on the network, once."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from strata.accounts.models import Membership, User, Workspace
from strata.accounts.roles import Role
from strata.engagement import labels
from strata.engagement.inbox import actions, filing
from strata.engagement.inbox.models import Conversation
from strata.engagement.management.commands import inbox as inbox_command
from strata.publishing import delivery
from strata.publishing.models import Variant
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision
from tests.conftest import DEMO_PLAN, PASSWORD
from tests.posts import due_post
from tests.servers.network import BlueskyNetwork, Ref
from tests.test_browser import browser  # noqa: F401 - the shared Chromium fixture
from tests.test_ingest_bluesky import connect, read_all

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
COMPLAINT = "The brakes on my new bike failed after a week. This is terrible and dangerous."


@pytest.fixture
def responder_page(browser: Browser, live_server: Any, transactional_db: Any) -> Iterator[tuple[Page, Workspace]]:  # noqa: F811
    user = User.objects.create_user("amira@acme.example", PASSWORD, name="Amira Haddad")  # the plan's person 'amira'
    workspace, _ = import_plan(
        data=DEMO_PLAN.read_bytes(), filename="demo.yaml", workspace=None, slug="acme", author=None, source=PlanRevision.Source.DEMO
    )
    Membership.objects.create(user=user, workspace=workspace, role=Role.RESPONDER)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 1000}, timezone_id="Europe/Berlin")
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill("amira@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    yield page, workspace
    context.close()


def test_a_complaint_is_routed_answered_by_keyboard_and_threaded_once(
    responder_page: tuple[Page, Workspace], bsky_network: BlueskyNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, acme = responder_page
    net = bsky_network
    brand, fan = net.create_account(), net.create_account()
    connect(acme, net, brand)
    post = due_post(acme, "acme-bsky", "Spring service week: bring your bike in")
    delivery.run_once(worker="test:1")
    uri = Variant.objects.get(post=post).remote_id
    ours = Ref(uri, net.record(uri)["cid"])
    complaint = net.reply(fan, ours, COMPLAINT)
    net.wait_notification(brand, complaint.uri)

    read_all(acme)
    labels.label_unlabelled()  # then filed, as `strata ingest` does
    filing.file_unfiled()
    conversation = Conversation.objects.get(workspace=acme)
    # The demo plan's first rule: negative → take offline, within 1h, Amira.
    assert (conversation.rule_id, conversation.action, conversation.assignee) == ("negative-first", "take_offline", "amira")
    assert conversation.due_at is not None
    assert conversation.due_at >= conversation.started_at + dt.timedelta(hours=1)

    # The responder, by keyboard: j to the first conversation, o to open it, r to answer.
    page.goto("/w/acme/inbox/?assignee=me")
    expect(page.locator("[data-inbox-list] > li")).to_have_count(1)
    expect(page.locator(".inbox-row")).to_contain_text("terrible and dangerous")
    page.keyboard.press("j")
    expect(page.locator(".inbox-row").first).to_have_attribute("aria-current", "true")
    page.keyboard.press("o")
    expect(page.get_by_role("heading", level=1)).to_contain_text(fan.handle)
    expect(page.locator(".conversation-facts")).to_contain_text("negative-first")
    page.keyboard.press("r")
    reply_box = page.get_by_label("Answer in the thread")
    expect(reply_box).to_be_focused()
    expect(reply_box).to_have_value(
        "We're sorry to hear that. Could you send us a direct message with your order number so that we can sort it out?"
    )
    page.keyboard.press("Control+a")
    page.keyboard.type("We are so sorry. Could you write to help@acme.example with your order number? We will fix it today.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Answer sent")

    # The publisher sends it, once, as a reply to the complaint in the brand's thread.
    assert delivery.run_once(worker="test:1") == 1
    assert delivery.run_once(worker="test:1") == 0
    answer = conversation.answers.get()
    assert answer.variant.state == "published"
    net.wait_until(lambda: net.indexed(answer.variant.remote_id) or None, what="the answer indexed")
    thread = net.client(fan).get_post_thread(complaint.uri).thread
    replies = [r.post for r in thread.replies or []]
    assert [r.uri for r in replies] == [answer.variant.remote_id]
    record = replies[0].record
    assert (record.reply.parent.uri, record.reply.root.uri) == (complaint.uri, ours.uri)
    assert record.text.startswith("We are so sorry.")

    conversation.refresh_from_db()
    assert conversation.state == "waiting"
    assert conversation.first_answered_at is not None
    page.reload()
    expect(page.locator(".timeline .answer")).to_contain_text("Published")

    # They write again: the conversation comes back, and the command line answers it, printing
    # the reply's address once the publisher has sent it.
    thanks = net.reply(fan, complaint, "Thanks, I have written to you with the order number.")
    net.wait_notification(brand, thanks.uri)
    read_all(acme)
    labels.label_unlabelled()
    filing.file_unfiled()
    conversation.refresh_from_db()
    assert conversation.state == "open"
    # The publisher runs while the command waits: here in the same thread, at each of the
    # command's pauses (SQLite's shared in-memory test database takes no second writer).
    monkeypatch.setattr(inbox_command, "pause", lambda: delivery.run_once(worker="test:publisher"))
    out = io.StringIO()
    call_command("inbox", "reply", "--workspace", "acme", "--item", str(conversation.pk), "--text", "Got it, thank you!", stdout=out)
    second = conversation.answers.order_by("-created_at").first()
    assert second is not None
    assert out.getvalue().strip() == second.variant.remote_id
    assert net.record(second.variant.remote_id)["value"]["reply"]["parent"]["uri"] == thanks.uri

    # A like of their thanks, from the inbox: one like record, however often it is asked for.
    thanked = conversation.items.get(remote_id=thanks.uri)
    first = actions.react(item=thanked, actor=None, kind="like")
    again = actions.react(item=thanked, actor=None, kind="like")
    assert (first.error, again.pk, again.remote_id) == ("", first.pk, first.remote_id)
    likes = net.client(brand).com.atproto.repo.list_records({"repo": brand.did, "collection": "app.bsky.feed.like"}).records
    assert [(like.uri, like.value.subject.uri) for like in likes] == [(first.remote_id, thanks.uri)]
