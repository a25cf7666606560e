"""Writing, approving and scheduling posts, by role, with the plan's rules applied."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils.timezone import now

from strata.accounts.actions import ActionError
from strata.accounts.models import Workspace
from strata.publishing import actions
from strata.publishing.actions import PostInput, VariantInput
from strata.publishing.mix import MixWarning
from strata.publishing.models import Post, PostEvent, Variant
from strata.publishing.similarity import similarity
from strata.strategy.review.registry import run_review
from strata.strategy.store import current_plan

SOON = dt.timedelta(hours=2)


def new_post(workspace: Workspace, *variants: tuple[str, str], objective: str = "eu-awareness", pillar: str = "", kind: str = "") -> Post:
    return actions.create_post(
        workspace=workspace,
        actor=None,
        data=PostInput(variants=[VariantInput(c, t) for c, t in variants], objective_id=objective, pillar_id=pillar, kind=kind),
    )


def approved(workspace: Workspace, *variants: tuple[str, str], **kwargs: Any) -> Post:
    post = new_post(workspace, *variants, **kwargs)
    return actions.approve(post=post, actor=None)


def test_compose_saves_a_draft_with_a_variant_per_channel(personas: Any, client_for: Callable[[str], Client]) -> None:
    response = client_for("editor").post(
        "/w/acme/posts/new/",
        {
            "title": "Spring routes",
            "objective": "eu-awareness",
            "text.acme-bsky": "Five spring routes through Berlin 🌸",
            "text.acme-mastodon": "We mapped five spring routes, with elevation and cafés. Which one is yours?",
        },
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.state == "draft"
    assert sorted(post.variants.values_list("channel_id", flat=True)) == ["acme-bsky", "acme-mastodon"]
    assert all(len(v.keys) == 1 for v in post.variants.all())


def test_the_preview_counts_as_each_platform_does_and_flags_copies(personas: Any, client_for: Callable[[str], Client]) -> None:
    text = "New commuter routes for Berlin are live, with maps and tips for every season"
    response = client_for("editor").post(
        "/w/acme/posts/new/",
        {"objective": "eu-awareness", "text.acme-bsky": text + " 👨‍👩‍👧", "text.acme-mastodon": text + "!"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert f"{len(text) + 2} / 300 graphemes" in html  # a family emoji is one grapheme
    assert 'data-warning="copy"' in html


def test_a_post_without_an_objective_cannot_be_approved_unless_allowed(personas: Any, acme: Workspace) -> None:
    post = new_post(acme, ("acme-bsky", "Just a thought"), objective="")
    with pytest.raises(ActionError, match="serves no objective"):
        actions.approve(post=post, actor=None)
    settings = actions.settings_for(acme)
    settings.allow_posts_without_objective = True
    settings.save()
    assert actions.approve(post=post, actor=None).state == "approved"


def test_a_pillar_that_serves_a_strategy_ties_a_post_to_its_objectives(acme: Workspace) -> None:
    post = new_post(acme, ("acme-bsky", "Route of the week: the canal path"), objective="", pillar="routes")
    assert actions.approve(post=post, actor=None).state == "approved"


def test_platform_rules_block_approval(acme: Workspace) -> None:
    post = new_post(acme, ("acme-bsky", "x" * 301))
    with pytest.raises(ActionError, match="301 characters; Bluesky allows 300"):
        actions.approve(post=post, actor=None)


def test_roles_move_a_post_through_the_workflow(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    post = new_post(acme, ("acme-bsky", "Workflow"))
    editor, strategist = client_for("editor"), client_for("strategist")
    assert editor.post(f"/w/acme/posts/{post.pk}/approve/").status_code == 403
    editor.post(f"/w/acme/posts/{post.pk}/submit/")
    strategist.post(f"/w/acme/posts/{post.pk}/comment/", {"text": "Add a photo?"})
    strategist.post(f"/w/acme/posts/{post.pk}/approve/")
    at = (now() + SOON).astimezone(acme.tzinfo).strftime("%Y-%m-%dT%H:%M")
    editor.post(f"/w/acme/posts/{post.pk}/schedule/", {"at": at})
    post.refresh_from_db()
    assert post.state == "scheduled"
    assert post.scheduled_at is not None
    assert post.scheduled_at.astimezone(acme.tzinfo).strftime("%Y-%m-%dT%H:%M") == at  # read in the workspace's zone
    assert list(PostEvent.objects.filter(post=post).values_list("kind", flat=True)) == [
        "created",
        "submitted",
        "comment",
        "approved",
        "scheduled",
    ]
    assert client_for("creative").post(f"/w/acme/posts/{post.pk}/schedule/", {"at": at}).status_code == 403
    page = client_for("analyst").get(f"/w/acme/posts/{post.pk}/").content.decode()
    assert "Add a photo?" in page
    assert "strategist@acme.example" in page


def test_scheduling_in_the_past_is_refused(acme: Workspace) -> None:
    post = approved(acme, ("acme-bsky", "Late"))
    with pytest.raises(ActionError, match="that time has passed"):
        actions.schedule(post=post, actor=None, at=now() - dt.timedelta(hours=1))


def test_promotion_over_the_target_warns_before_it_happens(acme: Workspace) -> None:
    # The demo plan's target is 30 % promotional; one social post, then a promotional one: 50 %.
    actions.schedule(post=approved(acme, ("acme-bsky", "A social story about riders"), pillar="routes"), actor=None, at=now() + SOON)
    promo = approved(acme, ("acme-bsky", "Spring sale: 20 % off every helmet this week"), kind="promotional")
    with pytest.raises(MixWarning, match=r"acme-bsky would be 50% promotional \(1 of 2\), target 30%"):
        actions.schedule(post=promo, actor=None, at=now() + SOON)
    assert Post.objects.get(pk=promo.pk).state == "approved"
    actions.schedule(post=promo, actor=None, at=now() + SOON, accept_mix_warning=True)
    assert Post.objects.get(pk=promo.pk).state == "scheduled"


def test_near_copies_are_recognised_and_distinct_texts_are_not() -> None:
    base = "Our new commuter routes for Berlin are live: maps, elevation and the best cafés on the way."
    assert similarity(base, base.upper().replace(":", " -") + " https://acme.example/r #bike") >= 0.8
    assert similarity(base, "Which route do you take to work? Tell us and we will map it next month.") < 0.3


def test_the_review_lists_the_calendars_problems(acme: Workspace) -> None:
    settings = actions.settings_for(acme)
    settings.allow_posts_without_objective = True
    settings.save()
    text = "Our new commuter routes for Berlin are live with maps and cafés along the way"
    untied = approved(acme, ("acme-bsky", text), ("acme-mastodon", text + "!"), objective="")
    actions.schedule(post=untied, actor=None, at=now() + SOON)
    promo = approved(acme, ("acme-help", "Buy the new Acme lock today, 10 % off"), kind="promotional")
    actions.schedule(post=promo, actor=None, at=now() + SOON, accept_mix_warning=True)
    review = run_review(current_plan(acme).plan, workspace_id=acme.pk)
    found = {(f.code, f.ref) for f in review.findings}
    assert ("post.no_objective", f"post:{untied.pk}") in found
    assert ("calendar.same_text", f"post:{untied.pk}") in found
    assert ("calendar.promotion_on_service_channel", f"post:{promo.pk}") in found
    assert ("calendar.mix_drift", "channel:acme-help") in found
    assert ("calendar.cadence_not_met", "channel:acme-bsky") in found
    # the file review has no calendar: it is about the plan alone
    assert not [f for f in run_review(current_plan(acme).plan).findings if f.code.startswith(("post.", "calendar."))]


def test_the_calendar_shows_posts_in_the_workspace_time_zone_and_moves_them(
    personas: Any, client_for: Callable[[str], Client], acme: Workspace
) -> None:
    post = approved(acme, ("acme-bsky", "Late-evening ride"))
    # 23:30 in Berlin is already the next day in UTC in winter.
    local = dt.datetime.combine(now().astimezone(acme.tzinfo).date() + dt.timedelta(days=3), dt.time(23, 30), acme.tzinfo)
    actions.schedule(post=post, actor=None, at=local)
    client = client_for("editor")
    page = client.get(f"/w/acme/calendar/?date={local.date().isoformat()}").content.decode()
    cell = re.search(rf'data-day="{local.date().isoformat()}".*?</td>', page, re.S)
    assert cell is not None
    assert "23:30 Late-evening ride" in cell.group(0)
    target = local.date() + dt.timedelta(days=2)
    response = client.post(f"/w/acme/posts/{post.pk}/move/", {"date": target.isoformat()})
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.scheduled_at is not None
    assert post.scheduled_at.astimezone(acme.tzinfo) == dt.datetime.combine(target, dt.time(23, 30), acme.tzinfo)
    assert Variant.objects.get(post=post).due_at == post.scheduled_at
    assert client_for("analyst").post(f"/w/acme/posts/{post.pk}/move/", {"date": target.isoformat()}).status_code == 403


def test_the_calendar_filters_by_channel_and_state(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    at = now() + dt.timedelta(days=1)
    actions.schedule(post=approved(acme, ("acme-bsky", "Only on Bluesky")), actor=None, at=at)
    actions.schedule(post=approved(acme, ("acme-mastodon", "Only on Mastodon")), actor=None, at=at)
    page = client_for("analyst").get(f"/w/acme/calendar/?date={at.date().isoformat()}&channel=acme-mastodon").content.decode()
    assert "Only on Mastodon" in page
    assert "Only on Bluesky" not in page


def test_the_ical_feed_needs_its_token(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    actions.schedule(post=approved(acme, ("acme-bsky", "In your calendar app; with, commas")), actor=None, at=now() + SOON)
    shown = client_for("editor").post("/w/acme/calendar/address/").content.decode()
    token = re.search(r"calendar\.ics\?token=([\w-]+)", shown).group(1)  # type: ignore[union-attr]
    assert Client().get("/w/acme/calendar.ics").status_code == 404
    assert Client().get("/w/acme/calendar.ics?token=wrong").status_code == 404
    feed = Client().get(f"/w/acme/calendar.ics?token={token}")
    body = feed.content.decode()
    assert feed["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert "In your calendar app\\; with\\, commas" in body.replace("\r\n ", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_a_draft_can_be_edited_channel_by_channel_until_it_is_approved(
    personas: Any, client_for: Callable[[str], Client], acme: Workspace
) -> None:
    post = new_post(acme, ("acme-bsky", "First words"), ("acme-mastodon", "Other first words"))
    client = client_for("editor")
    assert "First words" in client.get(f"/w/acme/posts/{post.pk}/edit/").content.decode()
    response = client.post(
        f"/w/acme/posts/{post.pk}/edit/",
        {"objective": "eu-awareness", "text.acme-bsky": "Better words", "thread.acme-bsky": "A second part\n---\nA third"},
    )
    assert response.status_code == 302
    variant = post.variants.get()
    assert (variant.channel_id, variant.text, variant.thread, len(variant.keys)) == (
        "acme-bsky",
        "Better words",
        ["A second part", "A third"],
        3,
    )
    actions.approve(post=post, actor=None)
    refused = client.post(f"/w/acme/posts/{post.pk}/edit/", {"objective": "eu-awareness", "text.acme-bsky": "Sneaky change"})
    assert refused.status_code == 409
    assert post.variants.get().text == "Better words"


def test_a_person_settles_a_variant_strata_could_not_confirm(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    post = approved(acme, ("acme-bsky", "Did it?"), ("acme-mastodon", "Did it, on Mastodon?"))
    post.variants.update(state=Variant.State.UNCONFIRMED)
    Post.objects.filter(pk=post.pk).update(state=Post.State.UNCONFIRMED)
    page = client_for("analyst").get(f"/w/acme/posts/{post.pk}/").content.decode()
    assert "It went out" not in page  # analysts may look, not decide
    assert client_for("analyst").post(f"/w/acme/posts/{post.pk}/went_out/", {"channel": "acme-bsky"}).status_code == 403
    editor = client_for("editor")
    assert "It went out" in editor.get(f"/w/acme/posts/{post.pk}/").content.decode()
    editor.post(f"/w/acme/posts/{post.pk}/went_out/", {"channel": "acme-bsky"})
    post.refresh_from_db()
    assert post.state == "unconfirmed"  # one variant is still in doubt
    editor.post(f"/w/acme/posts/{post.pk}/did_not_go_out/", {"channel": "acme-mastodon"})
    post.refresh_from_db()
    assert post.state == "failed"
    assert dict(post.variants.values_list("channel_id", "state")) == {"acme-bsky": "published", "acme-mastodon": "failed"}
    page = editor.get(f"/w/acme/posts/{post.pk}/").content.decode()
    assert "Send what did not go out at" in page
    at = (now() + SOON).astimezone(acme.tzinfo).strftime("%Y-%m-%dT%H:%M")
    editor.post(f"/w/acme/posts/{post.pk}/schedule/", {"at": at, "accept_mix": "1"})
    post.refresh_from_db()
    assert post.state == "scheduled"
    assert dict(post.variants.values_list("channel_id", "state")) == {"acme-bsky": "published", "acme-mastodon": "scheduled"}
