"""Deleting a post that has not gone out (kept, with its history, but off the calendar, the list,
the mix and the publisher's queue) and duplicating one, from its page, the API and the CLI.
What reaches a platform is what a real local webhook receiver got."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils.timezone import now

from strata.accounts.actions import Conflict
from strata.accounts.models import Workspace
from strata.publishing import actions, delivery
from strata.publishing.mix import channel_mix
from strata.publishing.models import Attempt, ChannelAccount, Notification, Post, Variant
from strata.publishing.planlink import PlanLink
from tests.posts import due_post
from tests.test_core_delivery import HOOK, Receiver, hook  # noqa: F401 - the webhook channel and its real receiver


def draft(
    acme: Workspace, text: str = "Spring rides", *, title: str = "", channels: tuple[str, ...] = ("acme-bsky",), **fields: str
) -> Post:
    data = actions.PostInput(
        variants=[actions.VariantInput(c, f"{text} ({c})", link="https://acme.example/rides") for c in channels],
        title=title,
        objective_id=fields.get("objective", "eu-awareness"),
        pillar_id=fields.get("pillar", ""),
        kind=fields.get("kind", ""),
    )
    return actions.create_post(workspace=acme, actor=None, data=data)


def scheduled(acme: Workspace, *, at: dt.datetime, channel: str = "acme-bsky", title: str = "", kind: str = "") -> Post:
    post = draft(acme, title=title, channels=(channel,), kind=kind)
    actions.approve(post=post, actor=None)
    return actions.schedule(post=post, actor=None, at=at, accept_mix_warning=True)


def history(post: Post) -> list[tuple[str, str]]:
    return list(post.events.values_list("kind", "text"))


def test_it_asks_before_deleting_and_says_what_deleting_does(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    post = draft(acme, title="Winter sale")
    page = client_for("editor").get(f"/w/acme/posts/{post.pk}/delete/")
    body = page.content.decode()
    assert "Delete “Winter sale”?" in body
    assert "leaves the calendar, the posts list and the content mix" in body
    assert "Delete this post" in body
    assert f'href="/w/acme/posts/{post.pk}/"' in body
    assert Post.objects.get(pk=post.pk).deleted_at is None  # asking changes nothing


def test_a_deleted_post_leaves_the_list_and_calendar_and_keeps_its_history(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    at = now() + dt.timedelta(days=2)
    post = scheduled(acme, at=at, title="Winter sale")
    client = client_for("editor")
    response = client.post(f"/w/acme/posts/{post.pk}/delete/", follow=True)
    assert "&#x27;Winter sale&#x27; deleted. Its history is kept on its page." in response.content.decode()
    assert response.redirect_chain[-1][0] == "/w/acme/posts/"
    assert "Winter sale" not in client.get("/w/acme/posts/").content.decode().split("</h1>", 1)[1]
    local = at.astimezone(acme.tzinfo).date()
    assert "Winter sale" not in client.get(f"/w/acme/calendar/?date={local.isoformat()}").content.decode()

    page = client.get(f"/w/acme/posts/{post.pk}/").content.decode()
    assert "Deleted <time" in page
    assert "nothing of it is sent" in page
    assert "Send back to draft" not in page
    assert "Take off the calendar" not in page
    kept = Post.objects.get(pk=post.pk)
    assert [kind for kind, _ in history(kept)] == ["created", "approved", "scheduled", "deleted"]
    assert history(kept)[-1][1] == f"it was scheduled for {at.isoformat()}"
    assert list(kept.variants.values_list("state", "next_attempt_at")) == [("pending", None)]


def test_a_scheduled_post_deleted_before_its_time_is_never_sent(acme: Workspace, hook: ChannelAccount) -> None:  # noqa: F811
    at = now() + dt.timedelta(minutes=30)
    post = scheduled(acme, at=at, channel=HOOK)
    actions.delete_post(post=post, actor=None)
    with time_machine.travel(at + dt.timedelta(minutes=1), tick=False):
        assert delivery.run_once(worker="test:1") == 0
    assert Receiver.bodies == []
    assert not Attempt.objects.filter(variant__post=post).exists()
    assert Variant.objects.get(post=post).state == "pending"


def test_a_variant_of_a_deleted_post_left_in_the_queue_is_withdrawn_without_a_call(acme: Workspace, hook: ChannelAccount) -> None:  # noqa: F811
    """As if written by a process that did not know of deleting: the claim sees the post is
    deleted, and delivery takes the variant off the queue without calling the platform."""
    post = due_post(acme, HOOK, "Should never go out")
    Post.objects.filter(pk=post.pk).update(deleted_at=now())
    assert delivery.run_once(worker="test:1") == 1
    assert Receiver.bodies == []
    variant = Variant.objects.get(post=post)
    assert (variant.state, variant.claimed_by, variant.attempts) == ("pending", "", 0)
    assert not variant.attempt_rows.exists()
    assert not Notification.objects.filter(post=post).exists()


def test_a_deleted_post_no_longer_counts_in_the_mix(acme: Workspace) -> None:
    at = now() + dt.timedelta(days=1)
    post = scheduled(acme, at=at, kind="promotional")
    link = PlanLink.of(acme)
    assert channel_mix(acme.pk, "acme-bsky", at, link).promotional == 1
    actions.delete_post(post=post, actor=None)
    assert channel_mix(acme.pk, "acme-bsky", at, link).total == 0


def test_a_published_post_cannot_be_deleted_and_the_page_says_why(
    acme: Workspace,
    hook: ChannelAccount,  # noqa: F811
    client_for: Callable[[str], Client],
) -> None:
    post = due_post(acme, HOOK, "Out already", title="Launch day")
    delivery.run_once(worker="test:1")
    assert Post.objects.get(pk=post.pk).state == "published"
    client = client_for("owner")
    assert "Delete</a>" not in client.get(f"/w/acme/posts/{post.pk}/").content.decode()
    response = client.post(f"/w/acme/posts/{post.pk}/delete/", follow=True)
    body = response.content.decode()
    assert f"&#x27;Launch day&#x27; could not be deleted: this post was published on {HOOK}" in body
    assert "Take it down on the platform itself" in body
    assert Post.objects.get(pk=post.pk).deleted_at is None


def test_a_post_that_may_have_gone_out_cannot_be_deleted(acme: Workspace) -> None:
    post = scheduled(acme, at=now() + dt.timedelta(days=1))
    Variant.objects.filter(post=post).update(state=Variant.State.UNCONFIRMED)
    with pytest.raises(Conflict, match="may have gone out: say first whether it did"):
        actions.delete_post(post=post, actor=None)


def test_a_deleted_post_takes_no_further_step(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    post = draft(acme)
    actions.delete_post(post=post, actor=None)
    response = client_for("owner").post(f"/w/acme/posts/{post.pk}/approve/", follow=True)
    assert "this post was deleted; its history is kept, but it can no longer change" in response.content.decode()
    assert Post.objects.get(pk=post.pk).state == "draft"


def test_deleting_a_failed_post_settles_what_the_overview_asked(acme: Workspace, hook: ChannelAccount) -> None:  # noqa: F811
    hook.delete()  # nowhere to go: the post fails and the overview asks a person
    post = due_post(acme, HOOK, "Nowhere to go")
    delivery.run_once(worker="test:1")
    assert Notification.objects.filter(post=post, resolved_at=None).exists()
    actions.delete_post(post=post, actor=None)
    assert not Notification.objects.filter(post=post, resolved_at=None).exists()


def test_duplicating_makes_a_new_draft_with_the_same_variants_and_no_time(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    original = scheduled(acme, at=now() + dt.timedelta(days=3), title="Winter sale")
    Post.objects.filter(pk=original.pk).update(pillar_id="new-models")
    response = client_for("editor").post(f"/w/acme/posts/{original.pk}/duplicate/", follow=True)
    copy = Post.objects.exclude(pk=original.pk).get()
    assert response.redirect_chain[-1][0] == f"/w/acme/posts/{copy.pk}/"
    body = response.content.decode()
    assert "<h1>Copy of Winter sale</h1>" in body
    assert f"duplicated from #{original.pk}" in body
    assert (copy.state, copy.scheduled_at, copy.objective_id, copy.pillar_id) == ("draft", None, "eu-awareness", "new-models")
    [mine], [theirs] = copy.variants.all(), original.variants.all()
    assert (mine.channel_id, mine.text, mine.link, mine.state) == (theirs.channel_id, theirs.text, theirs.link, "pending")
    assert mine.keys != theirs.keys  # a copy can never be taken for the original on a platform
    assert history(Post.objects.get(pk=original.pk))[-1] == ("duplicated", f"copied to #{copy.pk}")


def test_only_writers_may_delete_or_duplicate(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    post = draft(acme)
    analyst = client_for("analyst")
    assert "Duplicate" not in analyst.get(f"/w/acme/posts/{post.pk}/").content.decode()
    assert analyst.post(f"/w/acme/posts/{post.pk}/delete/").status_code == 403
    assert analyst.post(f"/w/acme/posts/{post.pk}/duplicate/").status_code == 403
    assert Post.objects.count() == 1
    assert Post.objects.get().deleted_at is None


def test_the_api_deletes_and_duplicates(acme: Workspace, client_for: Callable[[str], Client], token_for: Callable[[str], str]) -> None:
    post = draft(acme, title="Winter sale")
    headers = {"Authorization": f"Bearer {token_for('editor')}"}
    client = Client()
    made = client.post(f"/api/v1/workspaces/acme/posts/{post.pk}/duplicate", headers=headers)
    assert made.status_code == 201
    assert (made.json()["title"], made.json()["state"], made.json()["scheduled_at"]) == ("Copy of Winter sale", "draft", None)
    assert client.delete(f"/api/v1/workspaces/acme/posts/{post.pk}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/workspaces/acme/posts/{post.pk}", headers=headers).json()["deleted_at"] is not None
    listed = [p["id"] for p in client.get("/api/v1/workspaces/acme/posts", headers=headers).json()]
    assert listed == [made.json()["id"]]
    again = client.delete(f"/api/v1/workspaces/acme/posts/{post.pk}", headers=headers)
    assert again.status_code == 409
    assert again.json()["detail"] == "this post was deleted; its history is kept, but it can no longer change"


def test_the_api_refuses_to_delete_a_published_post(acme: Workspace, hook: ChannelAccount, token_for: Callable[[str], str]) -> None:  # noqa: F811
    post = due_post(acme, HOOK, "Out already")
    delivery.run_once(worker="test:1")
    answer = Client().delete(f"/api/v1/workspaces/acme/posts/{post.pk}", headers={"Authorization": f"Bearer {token_for('owner')}"})
    assert answer.status_code == 409
    assert answer.json()["detail"].startswith(f"this post was published on {HOOK}; Strata keeps published posts")


def test_the_cli_deletes_and_duplicates(acme: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    post = draft(acme, title="Winter sale")
    call_command("post", "duplicate", str(post.pk))
    copy_id = int(capsys.readouterr().out.strip())
    assert Post.objects.get(pk=copy_id).title == "Copy of Winter sale"
    call_command("post", "delete", str(post.pk))
    assert capsys.readouterr().out.strip() == f"deleted post {post.pk}; its history is kept"
    call_command("post", "list", "--workspace", "acme", "--format", "json")
    assert f'"id": {post.pk},' not in capsys.readouterr().out
    with pytest.raises(CommandError, match="this post was deleted"):
        call_command("post", "delete", str(post.pk))
    with pytest.raises(CommandError, match="no post 999999"):
        call_command("post", "delete", "999999")
