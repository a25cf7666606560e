"""The inbox without a network: what is filed, how the response plan routes it, the clock it
gets in business hours, and the pages a responder works from. The real network's round trip is
in test_inbox_bluesky.py."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client

from strata import crypto
from strata.accounts.models import User, Workspace
from strata.engagement.inbox import actions, filing
from strata.engagement.inbox.models import Conversation, SavedView
from strata.engagement.models import HeardItem, Source
from strata.publishing.models import ChannelAccount, Variant
from strata.strategy.actions import save_plan
from strata.strategy.plan.dump import plan_to_data
from strata.strategy.plan.schema import PlanDocument
from strata.strategy.review.registry import run_review
from strata.strategy.store import current_plan

BERLIN = ZoneInfo("Europe/Berlin")
THREAD = "at://did:plc:brand/app.bsky.feed.post/root"  # the brand's post they answer
_numbers = itertools.count(1)


def said(
    workspace: Workspace,
    text: str,
    *,
    kind: str = "reply",
    channel: str = "acme-help",
    author: str = "did:plc:fan",
    sentiment: str = "neutral",
    intents: tuple[str, ...] = (),
    root: str = "",
    source_kind: str = Source.Kind.NOTIFICATIONS,
) -> HeardItem:
    """Something heard on the brand's channel, labelled as the classifiers would."""
    source, _ = Source.objects.get_or_create(workspace=workspace, channel_id=channel, kind=source_kind, defaults={"platform": "bluesky"})
    n = next(_numbers)
    item = HeardItem.objects.create(
        workspace=workspace,
        source=source,
        channel_id=channel,
        platform="bluesky",
        remote_id=f"at://{author}/app.bsky.feed.post/{n}",
        kind=kind,
        author_id=author,
        author_handle=author.split(":")[-1] + ".test",
        author_name="Jo Rider",
        text=text,
        sentiment=sentiment,
        intents=list(intents),
        root_id=root,
        created_at=dt.datetime.now(dt.UTC),
    )
    item.refresh_shown()
    item.save()
    return item


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


# -- Routing --------------------------------------------------------------------------------------


@time_machine.travel(local(2026, 12, 2, 10, 0), tick=False)  # a Wednesday morning in Berlin
def test_a_complaint_goes_by_the_first_matching_rule_to_its_person_with_its_target(acme: Workspace) -> None:
    said(acme, "My brakes failed after a week", sentiment="negative", intents=("complaint",))
    assert filing.file_unfiled() == 1
    conversation = Conversation.objects.get(workspace=acme)
    assert (conversation.rule_id, conversation.action, conversation.assignee) == ("negative-first", "take_offline", "amira")
    assert conversation.due_at == local(2026, 12, 2, 11, 0)  # within: 1h, in business hours
    assert conversation.warn_at == local(2026, 12, 2, 10, 30)  # warn_before: 30m
    assert conversation.state == "new"
    assert filing.sla_state(conversation) == "on_time"


@time_machine.travel(local(2026, 12, 4, 17, 30), tick=False)  # Friday, half an hour before closing
def test_an_hours_target_runs_over_the_weekend_in_business_hours(acme: Workspace) -> None:
    said(acme, "My brakes failed", sentiment="negative")
    filing.file_unfiled()
    # 30 minutes on Friday, then Saturday opens 10:00-14:00: the last 30 minutes end at 10:30.
    assert Conversation.objects.get(workspace=acme).due_at == local(2026, 12, 5, 10, 30)


@time_machine.travel(local(2026, 12, 24, 17, 0), tick=False)
def test_a_holiday_is_skipped(acme: Workspace) -> None:
    said(acme, "Where is my order?", intents=("question",))  # rule 'questions': 4h
    filing.file_unfiled()
    # Thursday 17:00-18:00 counts; the 25th and 26th are holidays, Sunday closed; Monday 08:00 + 3h.
    assert Conversation.objects.get(workspace=acme).due_at == local(2026, 12, 28, 11, 0)


@time_machine.travel(local(2026, 12, 2, 10, 0), tick=False)
def test_what_no_rule_covers_goes_to_the_person_on_duty_with_the_default_target(acme: Workspace) -> None:
    said(acme, "Nice weather for a ride today", channel="acme-mastodon", sentiment="neutral")
    filing.file_unfiled()
    conversation = Conversation.objects.get(workspace=acme)
    # Jonas covers acme-mastodon on Tuesdays and Thursdays only; on a Wednesday he is still the
    # channel's person: nothing falls through.
    assert (conversation.rule_id, conversation.action, conversation.assignee) == ("", "reply", "jonas")
    assert conversation.due_at == local(2026, 12, 3, 10, 0)  # default_within: 1d, around the business day
    assert "no rule" in conversation.events.get(kind="routed").text


@time_machine.travel(local(2026, 12, 2, 10, 0), tick=False)
def test_keywords_topic_and_channel_narrow_a_rule_and_ignore_cancels_the_clock(acme: Workspace) -> None:
    data = plan_to_data(current_plan(acme).plan)
    data["response_plan"].insert(0, {"id": "spam", "when": {"intent": "spam"}, "action": "ignore"})
    data["response_plan"].insert(
        1,
        {
            "id": "recall",
            "when": {"keywords": ["recall"], "channel": "acme-help"},
            "action": "escalate",
            "escalate_to": "maria",
            "within": "30m",
        },
    )
    save_plan(workspace=acme, plan=PlanDocument.model_validate(data), author=None, source="import", summary="rules for spam and recalls")
    said(acme, "Free followers at example dot com", intents=("spam",), author="did:plc:spammer")
    said(acme, "Is there a RECALL on the 2025 frame?", author="did:plc:worried")
    said(acme, "recalled my order, recall that?", channel="acme-bsky", author="did:plc:elsewhere")
    filing.file_unfiled()
    spam = Conversation.objects.get(author_id="did:plc:spammer")
    assert (spam.state, spam.due_at, filing.sla_state(spam)) == ("ignored", None, "cancelled")
    recall = Conversation.objects.get(author_id="did:plc:worried")
    assert (recall.rule_id, recall.assignee) == ("recall", "maria")
    assert Conversation.objects.get(author_id="did:plc:elsewhere").rule_id != "recall"  # another channel


def test_only_what_was_said_to_the_brand_is_filed_once(acme: Workspace) -> None:
    said(acme, "", kind="like")
    said(acme, "overheard about acme bikes", kind="post", source_kind=Source.Kind.PUBLIC)
    context = said(acme, "the post above")
    HeardItem.objects.filter(pk=context.pk).update(context=True)
    said(acme, "Unlabelled so far", sentiment="")
    assert filing.file_unfiled() == 0
    assert not Conversation.objects.exists()
    HeardItem.objects.filter(text="Unlabelled so far").update(sentiment="neutral")
    assert filing.file_unfiled() == 1
    assert filing.file_unfiled() == 0


def test_one_conversation_per_person_and_thread(acme: Workspace) -> None:
    said(acme, "First question", root=THREAD)
    said(acme, "And a second thought", root=THREAD)
    said(acme, "Me too", root=THREAD, author="did:plc:other")
    filing.file_unfiled()
    assert Conversation.objects.filter(workspace=acme, thread_id=THREAD).count() == 2
    assert Conversation.objects.get(author_id="did:plc:fan").items.count() == 2


# -- The clock over time ---------------------------------------------------------------------------


def test_the_clock_moves_from_on_time_to_late_and_a_late_answer_stays_late(acme: Workspace) -> None:
    with time_machine.travel(local(2026, 12, 2, 10, 0), tick=False) as traveller:
        said(acme, "My brakes failed", sentiment="negative", root=THREAD)
        filing.file_unfiled()
        conversation = Conversation.objects.get(workspace=acme)
        assert filing.sla_state(conversation) == "on_time"
        traveller.move_to(local(2026, 12, 2, 10, 40))
        assert filing.sla_state(conversation) == "about_to_breach"
        traveller.move_to(local(2026, 12, 2, 11, 5))
        assert filing.sla_state(conversation) == "breached"
        filing.mark_answered(conversation, local(2026, 12, 2, 11, 10), by_whom="by a test")
        assert filing.sla_state(conversation) == "breached_then_answered"
        # They write again: a new target (next_within defaults to within, 1h), the late mark kept.
        traveller.move_to(local(2026, 12, 2, 12, 0))
        said(acme, "Still waiting for the parts", sentiment="negative", root=THREAD)
        filing.file_unfiled()
        conversation.refresh_from_db()
        assert conversation.due_at == local(2026, 12, 2, 13, 0)
        assert conversation.breached
        assert filing.sla_state(conversation) == "on_time"


def test_writing_again_after_the_answer_brings_it_back_to_the_queue(acme: Workspace) -> None:
    said(acme, "Which saddle fits?", intents=("question",), root=THREAD)
    filing.file_unfiled()
    conversation = Conversation.objects.get(workspace=acme)
    filing.mark_answered(conversation, dt.datetime.now(dt.UTC), by_whom="by a test")
    Conversation.objects.filter(pk=conversation.pk).update(state="waiting")
    said(acme, "Thanks, and for a child?", intents=("question",), root=THREAD)
    filing.file_unfiled()
    conversation.refresh_from_db()
    assert conversation.state == "open"
    assert conversation.events.filter(kind="reopened").exists()


# -- Pages ----------------------------------------------------------------------------------------


@pytest.fixture
def filed(acme: Workspace) -> Conversation:
    said(acme, "<script>alert(1)</script> my brakes squeal", sentiment="negative", intents=("complaint",))
    filing.file_unfiled()
    return Conversation.objects.get(workspace=acme)


def test_the_queue_lists_what_is_owed_with_its_clock_and_escapes_what_they_wrote(
    filed: Conversation, client_for: Callable[[str], Client]
) -> None:
    page = client_for("analyst").get("/w/acme/inbox/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt; my brakes squeal" in html
    assert "<script>alert(1)" not in html
    assert "due " in html
    assert "Amira Haddad" in html
    assert "1 conversation" in html


def test_the_queue_filters_and_tells_of_a_value_it_does_not_know(filed: Conversation, client_for: Callable[[str], Client]) -> None:
    client = client_for("responder")
    assert "my brakes squeal" not in client.get("/w/acme/inbox/?sentiment=positive").content.decode()
    assert "my brakes squeal" in client.get("/w/acme/inbox/?sentiment=negative&assignee=amira&sla=unanswered").content.decode()
    odd = client.get("/w/acme/inbox/?state=lost&channel=nowhere")
    assert odd.status_code == 200
    assert "&#x27;lost&#x27; is not a state here" in odd.content.decode()


def test_a_responder_notes_assigns_and_takes_it_offline_with_the_contact_encrypted(
    filed: Conversation, client_for: Callable[[str], Client]
) -> None:
    client = client_for("responder")
    url = f"/w/acme/inbox/{filed.pk}/"
    page = client.get(url).content.decode()
    assert "Could you send us a direct message" in page  # the rule's template, suggested
    assert client.post(url + "note/", {"text": "@owner can you look at the brake batch?"}).status_code == 302
    assert client.post(url + "assign/", {"assignee": "jonas"}).status_code == 302
    bad = client.post(url + "offline/", {"contact": "call me maybe", "follow_up": "2099-01-02"})
    assert bad.status_code == 422
    assert "expected an e-mail address" in bad.content.decode()
    assert client.post(url + "offline/", {"contact": "jo@example.com", "follow_up": "2099-01-02"}).status_code == 302
    filed.refresh_from_db()
    assert (filed.state, filed.assignee) == ("offline", "jonas")
    assert "jo@example.com" not in filed.contact  # encrypted at rest
    assert filed.get_contact() == "jo@example.com"
    assert filed.notes.get().mentions == [User.objects.get(email="owner@acme.example").pk]
    assert "jo@example.com" in client.get(url).content.decode()
    assert "my brakes squeal" not in client.get("/w/acme/inbox/").content.decode()  # out of the public queue


def test_who_may_answer(filed: Conversation, client_for: Callable[[str], Client]) -> None:
    url = f"/w/acme/inbox/{filed.pk}/"
    for role in ("analyst", "editor", "creative"):
        client = client_for(role)
        assert "Your role reads the inbox" in client.get(url).content.decode()
        assert client.post(url + "state/", {"state": "done"}).status_code == 403
    assert client_for("outsider").get(url).status_code == 404
    filed.refresh_from_db()
    assert filed.state == "new"


def test_bad_state_and_person_are_refused_in_words(filed: Conversation, client_for: Callable[[str], Client]) -> None:
    client = client_for("responder")
    url = f"/w/acme/inbox/{filed.pk}/"
    assert "is not a state" in client.post(url + "state/", {"state": "gone"}).content.decode()
    assert "is not a person of the plan" in client.post(url + "assign/", {"assignee": "nobody-here"}).content.decode()
    assert client.get("/w/acme/inbox/999999/").status_code == 404


# -- The review ----------------------------------------------------------------------------------


def test_the_review_names_late_channels_waiting_negatives_and_rules_that_never_match(acme: Workspace) -> None:
    with time_machine.travel(local(2026, 12, 2, 9, 0), tick=False) as traveller:
        for n in range(6):
            said(acme, f"Question {n} about my order", intents=("question",), author=f"did:plc:asker{n}")
        said(acme, "The chain snapped on day one", sentiment="negative", author="did:plc:angry")
        filing.file_unfiled()
        traveller.move_to(local(2026, 12, 2, 12, 0))  # the questions' 4h target holds; answer two of six
        for conversation in Conversation.objects.filter(author_id__startswith="did:plc:asker")[:2]:
            filing.mark_answered(conversation, dt.datetime.now(dt.UTC), by_whom="by a test")
        traveller.move_to(local(2026, 12, 3, 12, 0))  # a day later: four questions and the negative are late
        findings = {(f.code, f.ref): f.message for f in run_review(current_plan(acme).plan, workspace_id=acme.pk).findings}
    assert findings[("channel.inbox_late", "channel:acme-help")] == (
        "'acme-help' answered 29 % of its conversations in time over the last 30 days (7 conversations, 2 answered); median first answer: 3 h 0 min"
    )
    assert (
        findings[("inbox.negative_unanswered", "channel:acme-help")] == "1 negative conversation on 'acme-help' waits past the answer time"
    )
    assert ("rule.never_matched", "rule:praise") in findings
    assert ("rule.never_matched", "rule:questions") not in findings


# -- Command line and API ------------------------------------------------------------------------


def test_the_command_line_lists_the_queue_as_json_and_answers_through_the_publisher(filed: Conversation) -> None:
    out = io.StringIO()
    call_command("inbox", "list", "--workspace", "acme", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [(r["id"], r["assignee"], r["rule"], r["sla"]) for r in rows] == [(filed.pk, "amira", "negative-first", "on_time")]
    with pytest.raises(CommandError, match="no conversation 999999 in 'acme'"):
        call_command("inbox", "reply", "--workspace", "acme", "--item", "999999", "--text", "Hello")
    with pytest.raises(CommandError, match="acme-help is not connected"):
        call_command("inbox", "reply", "--workspace", "acme", "--item", str(filed.pk), "--text", "Sorry: write to us?")
    with pytest.raises(CommandError, match=r"invalid choice: .gone."):
        call_command("inbox", "list", "--workspace", "acme", "--state", "gone")


def test_the_api_lists_refuses_an_unknown_filter_and_counts_figures(filed: Conversation, token_for: Callable[[str], str]) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for('analyst')}")
    listed = client.get("/api/v1/workspaces/acme/inbox?sentiment=negative")
    assert [c["id"] for c in listed.json()] == [filed.pk]
    odd = client.get("/api/v1/workspaces/acme/inbox?state=lost")
    assert odd.status_code == 422
    assert "'lost' is not a state here" in odd.json()["detail"]
    detail = client.get(f"/api/v1/workspaces/acme/inbox/{filed.pk}").json()
    assert detail["items"][0]["text"].endswith("my brakes squeal")
    assert detail["suggestion"].startswith("We're sorry to hear that.")
    channel = next(f for f in client.get("/api/v1/workspaces/acme/inbox/figures").json() if f["by"] == "channel")
    assert (channel["key"], channel["conversations"], channel["answered"], channel["unanswered_negative"]) == ("acme-help", 1, 0, 1)
    refused = client.post(f"/api/v1/workspaces/acme/inbox/{filed.pk}/state", {"state": "done"}, content_type="application/json")
    assert refused.status_code == 403


def test_two_people_on_one_conversation_see_each_other_and_who_is_writing(filed: Conversation, client_for: Callable[[str], Client]) -> None:
    responder, owner = client_for("responder"), client_for("owner")
    url = f"/w/acme/inbox/{filed.pk}/presence/"
    assert owner.get(url).content.decode().strip() == ""  # alone so far
    responder.get(url + "?writing=1")
    assert "Responder is writing an answer" in owner.get(url).content.decode()
    responder.get(url + "?writing=0")
    assert "Responder has this open too" in owner.get(url).content.decode()
    assert "Owner has this open too" in responder.get(url).content.decode()
    assert client_for("outsider").get(url).status_code == 404


def test_the_queue_assigns_and_closes_several_at_once_or_none(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    for n in range(3):
        said(acme, f"Question {n}", intents=("question",), author=f"did:plc:asker{n}")
    filing.file_unfiled()
    ids = [str(pk) for pk in Conversation.objects.filter(workspace=acme).order_by("pk").values_list("pk", flat=True)]
    client = client_for("responder")
    page = client.get("/w/acme/inbox/").content.decode()
    assert page.count('name="ids"') == 3
    done = client.post("/w/acme/inbox/bulk/", {"ids": ids[:2], "action": "assign", "assignee": "jonas"}, follow=True)
    assert "2 conversations changed." in done.content.decode()
    assert list(Conversation.objects.filter(assignee="jonas").values_list("pk", flat=True).order_by("pk")) == [int(i) for i in ids[:2]]
    foreign = client.post("/w/acme/inbox/bulk/", {"ids": [ids[2], "999999"], "action": "done"}, follow=True)
    assert "Nothing was changed: some of the chosen conversations are not in this workspace" in foreign.content.decode()
    assert not Conversation.objects.filter(state="done").exists()
    client.post("/w/acme/inbox/bulk/", {"ids": ids[1:], "action": "label", "label": "  Frame   Sizes "})
    assert "Question 0" not in client.get("/w/acme/inbox/?label=frame+sizes").content.decode()
    assert "Question 1" in client.get("/w/acme/inbox/?label=frame+sizes").content.decode()
    bad = client.post("/w/acme/inbox/bulk/", {"ids": ids, "action": "label", "label": "=HYPERLINK(1)"}, follow=True)
    assert "a label is a word or a few" in bad.content.decode()
    client.post("/w/acme/inbox/bulk/", {"ids": ids, "action": "done"})
    assert Conversation.objects.filter(state="done").count() == 3
    assert 'name="ids"' not in client_for("analyst").get("/w/acme/inbox/?state=all").content.decode()


def test_how_we_answer_counts_per_channel_responder_and_rule(filed: Conversation, client_for: Callable[[str], Client]) -> None:
    filing.mark_answered(filed, filed.started_at + dt.timedelta(minutes=42), by_whom="by a test")
    page = client_for("analyst").get("/w/acme/inbox/figures/?days=7").content.decode()
    assert '<th scope="row">acme-help</th>' in page
    assert '<th scope="row">Amira Haddad</th>' in page
    assert '<th scope="row">negative-first</th>' in page
    assert page.count("42 min") == 6  # median and 90 % in each of the three tables
    assert "1 (100 %)" in page


def test_an_answer_the_publisher_could_not_send_brings_the_conversation_back(filed: Conversation) -> None:
    ChannelAccount.objects.create(
        workspace=filed.workspace,
        channel_id="acme-help",
        platform="bluesky",
        service="https://pds.invalid",
        handle="help.acme.bsky.social",
        secret=crypto.encrypt("app-password"),
    )
    answer = actions.answer(conversation=filed, actor=None, text="Sorry! Could you send us a direct message?")
    filed.refresh_from_db()
    assert (filed.state, filing.sla_state(filed)) == ("waiting", "met")
    Variant.objects.filter(pk=answer.variant_id).update(state="failed", last_error="Bluesky refused the post: too long")
    assert filing.failed_answers() == 1
    assert filing.failed_answers() == 0  # taken once
    filed.refresh_from_db()
    assert (filed.state, filed.answered_at, filing.sla_state(filed)) == ("open", None, "on_time")
    assert filed.events.get(kind="answer-failed").text == "The answer was not sent: Bluesky refused the post: too long"


def test_a_member_keeps_filters_as_a_named_view_of_their_own(filed: Conversation, client_for: Callable[[str], Client]) -> None:
    analyst = client_for("analyst")
    saved = analyst.post("/w/acme/inbox/views/", {"view_name": "  Angry  people ", "query": "sentiment=negative&bogus=1&sort=newest"})
    assert saved["Location"] == "/w/acme/inbox/?sentiment=negative&sort=newest"
    page = analyst.get("/w/acme/inbox/").content.decode()
    assert "Angry people</a>" in page
    assert "Angry people" not in client_for("responder").get("/w/acme/inbox/").content.decode()  # theirs alone
    empty = analyst.post("/w/acme/inbox/views/", {"view_name": "All", "query": ""}, follow=True)
    assert "choose some filters first" in empty.content.decode()
    view = SavedView.objects.get(name="Angry people")
    analyst.post("/w/acme/inbox/views/", {"delete": str(view.pk)})
    assert not SavedView.objects.exists()


def test_a_conversation_taken_offline_comes_back_on_its_follow_up_day_and_a_topic_finds_it(
    filed: Conversation, client_for: Callable[[str], Client]
) -> None:
    follow_up = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    actions.take_offline(conversation=filed, actor=None, contact="+49 30 1234567", follow_up_at=follow_up)
    assert filing.follow_ups_due() == 0
    with time_machine.travel(follow_up + dt.timedelta(minutes=1)):
        assert filing.follow_ups_due() == 1
    filed.refresh_from_db()
    assert filed.state == "open"
    HeardItem.objects.filter(conversation=filed).update(matched_key=",owner-trouble,", matched_queries=["owner-trouble"])
    client = client_for("responder")
    assert "my brakes squeal" in client.get("/w/acme/inbox/?topic=brand").content.decode()
    assert "my brakes squeal" not in client.get("/w/acme/inbox/?topic=competitor").content.decode()


def test_the_overview_shows_what_the_inbox_owes(filed: Conversation, client_for: Callable[[str], Client]) -> None:
    Conversation.objects.filter(pk=filed.pk).update(due_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
    panel = client_for("analyst").get("/w/acme/").content.decode()
    assert 'data-panel="inbox"' in panel
    assert "<strong>1</strong> to answer" in panel
    assert "1 late" in panel
    assert "1 negative" in panel
