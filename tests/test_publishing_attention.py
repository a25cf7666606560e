"""Posts that cannot go out are told about: scheduling on a channel that is not connected warns
on every path (form, calendar, API, CLI), the calendar marks such posts, and the overview lists
failed, missed and unconfirmed posts until a person settles them."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.test import Client
from django.utils.timezone import now

from strata import crypto
from strata.accounts.models import Workspace
from strata.publishing import actions, delivery
from strata.publishing.actions import PostInput, VariantInput
from strata.publishing.models import ChannelAccount, Notification, Post, Variant
from strata.strategy import panels

WARNING = "acme-mastodon is not connected"


def connected(workspace: Workspace, channel_id: str = "acme-bsky") -> ChannelAccount:
    """An account stored as connect_channel stores it (without asking the platform)."""
    return ChannelAccount.objects.create(
        workspace=workspace,
        channel_id=channel_id,
        platform="bluesky",
        service="https://bsky.social",
        handle="acme.bsky.social",
        secret=crypto.encrypt("app-password"),
    )


def approved(workspace: Workspace, *channels: str, text: str = "Five spring routes through Berlin") -> Post:
    data = PostInput(variants=[VariantInput(c, f"{text} ({c})") for c in channels], objective_id="eu-awareness")
    post = actions.create_post(workspace=workspace, actor=None, data=data)
    return actions.approve(post=post, actor=None)


def local_input(at: dt.datetime, workspace: Workspace) -> str:
    return at.astimezone(workspace.tzinfo).strftime("%Y-%m-%dT%H:%M")


def test_scheduling_on_a_channel_that_is_not_connected_warns_in_the_form(
    personas: Any, client_for: Callable[[str], Client], acme: Workspace
) -> None:
    connected(acme)
    client = client_for("strategist")
    preview = client.post(
        "/w/acme/posts/new/",
        {"objective": "eu-awareness", "text.acme-bsky": "Spring routes", "text.acme-mastodon": "Our spring routes, with maps"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert preview.count('data-warning="not-connected"') == 1
    assert WARNING in preview
    post = approved(acme, "acme-bsky", "acme-mastodon")
    page = client.post(
        f"/w/acme/posts/{post.pk}/schedule/", {"at": local_input(now() + dt.timedelta(days=2), acme)}, follow=True
    ).content.decode()
    assert "Scheduled." in page
    assert f"{WARNING}. The post will fail there at its time unless someone connects the channel first" in page
    assert "acme-bsky is not connected" not in page
    assert Post.objects.get(pk=post.pk).state == "scheduled"  # warned, not refused


def test_scheduling_on_a_channel_that_is_not_connected_warns_over_the_api_and_the_cli(
    personas: Any, token_for: Callable[[str], str], acme: Workspace
) -> None:
    connected(acme)
    post = approved(acme, "acme-bsky", "acme-mastodon")
    response = Client().post(
        f"/api/v1/workspaces/acme/posts/{post.pk}/schedule",
        json.dumps({"at": (now() + dt.timedelta(days=2)).isoformat()}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for('editor')}",
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["state"] == "scheduled"
    assert len(answer["warnings"]) == 1
    assert answer["warnings"][0].startswith(WARNING)

    stdout, stderr = io.StringIO(), io.StringIO()
    at = (now() + dt.timedelta(days=3)).isoformat()
    for channel in ("acme-mastodon", "acme-bsky"):
        call_command(
            "post", "schedule", "--workspace=acme", f"--channel={channel}", "--objective=eu-awareness", "--text=Hi", f"--at={at}",
            stdout=stdout, stderr=stderr,
        )  # fmt: skip
    assert stderr.getvalue().count("warning: ") == 1
    assert f"warning: {WARNING}" in stderr.getvalue()
    assert len(stdout.getvalue().split()) == 2  # both scheduled, each printing its id


def test_a_drag_to_another_day_answers_with_the_warning(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    post = approved(acme, "acme-mastodon")
    actions.schedule(post=post, actor=None, at=now() + dt.timedelta(days=2))
    target = (now() + dt.timedelta(days=4)).astimezone(acme.tzinfo).date()
    answer = client_for("editor").post(f"/w/acme/posts/{post.pk}/move/", {"date": target.isoformat()}).json()
    assert answer["message"].startswith("Five spring routes through Berlin (acme-mastodon) moved to ")
    assert [w[: len(WARNING)] for w in answer["warnings"]] == [WARNING]


def test_the_calendar_marks_posts_whose_channel_is_not_connected(
    personas: Any, client_for: Callable[[str], Client], acme: Workspace
) -> None:
    connected(acme)
    at = now() + dt.timedelta(days=1)
    fine = approved(acme, "acme-bsky", text="Ready to go")
    waiting = approved(acme, "acme-bsky", "acme-mastodon", text="Half connected")
    for post in (fine, waiting):
        actions.schedule(post=post, actor=None, at=at)
    page = client_for("analyst").get(f"/w/acme/calendar/?date={at.astimezone(acme.tzinfo).date().isoformat()}").content.decode()
    chips = dict(re.findall(r'data-post="(\d+)"[^>]*>(.*?)</a>', page, re.S))
    assert "not connected" not in chips[str(fine.pk)]
    assert 'aria-hidden="true">⚠</span>' in chips[str(waiting.pk)]
    assert "Channel not connected: acme-mastodon." in chips[str(waiting.pk)]
    assert 'data-legend="not-connected"' in page


def needs_a_person(page: str) -> str:
    """The overview's "Needs a person" card (the week's calendar beside it lists the same posts)."""
    start = page.index('data-panel="needs-a-person"')
    return page[start : page.index("</section>", start)]


def due_now(post: Post) -> None:
    Variant.objects.filter(post=post).update(due_at=now(), next_attempt_at=now())


def test_the_overview_lists_a_failed_post_until_a_person_settles_it(
    personas: Any, client_for: Callable[[str], Client], acme: Workspace
) -> None:
    failed = approved(acme, "acme-mastodon", text="Nowhere to go")
    actions.schedule(post=failed, actor=None, at=now() + dt.timedelta(hours=1))
    due_now(failed)
    delivery.run_once(worker="test:1")
    assert Post.objects.get(pk=failed.pk).state == "failed"
    client = client_for("editor")
    page = client.get("/w/acme/").content.decode()
    panel = page[page.index('data-panel="needs-a-person"') :]
    assert "Needs a person" in panel
    assert "Nowhere to go (acme-mastodon) on acme-mastodon: failed. channel &#x27;acme-mastodon&#x27; is not connected" in panel
    assert f'href="/w/acme/posts/{failed.pk}/"' in panel
    assert client.get("/w/acme/").content.decode().count("data-notification=") == 1  # still there on the next visit

    notification = Notification.objects.get(post=failed)
    response = client.post(f"/w/acme/notifications/{notification.pk}/done/", {"next": "overview"})
    assert response.status_code == 302
    assert response["Location"] == "/w/acme/"
    page = client.get("/w/acme/").content.decode()
    assert "Nowhere to go" not in needs_a_person(page)
    assert "Nothing failed, was missed or waits for an answer." in page


def test_scheduling_a_missed_post_again_settles_it_on_the_overview(
    personas: Any, client_for: Callable[[str], Client], acme: Workspace
) -> None:
    connected(acme)
    missed = approved(acme, "acme-bsky", text="Too late")
    actions.schedule(post=missed, actor=None, at=now() + dt.timedelta(hours=1))
    Variant.objects.filter(post=missed).update(due_at=now() - dt.timedelta(hours=3), next_attempt_at=now() - dt.timedelta(hours=3))
    delivery.run_once(worker="test:1")
    client = client_for("analyst")
    assert "Too late (acme-bsky) on acme-bsky: missed." in client.get("/w/acme/").content.decode()
    assert 'action="/w/acme/notifications/' not in client.get("/w/acme/").content.decode()  # an analyst may not settle it
    actions.schedule(post=missed, actor=None, at=now() + dt.timedelta(hours=2))
    assert "Too late" not in needs_a_person(client.get("/w/acme/").content.decode())


def test_an_unconfirmed_post_stays_until_someone_says_whether_it_went_out(
    personas: Any, client_for: Callable[[str], Client], acme: Workspace
) -> None:
    post = approved(acme, "acme-bsky", text="Maybe sent")
    actions.schedule(post=post, actor=None, at=now() + dt.timedelta(hours=1))
    Variant.objects.filter(post=post).update(state=Variant.State.UNCONFIRMED)
    Post.objects.filter(pk=post.pk).update(state=Post.State.UNCONFIRMED)
    Notification.objects.create(workspace=acme, post=post, text="Maybe sent on acme-bsky: unconfirmed. Check and decide")
    client = client_for("editor")
    assert "Maybe sent on acme-bsky: unconfirmed" in client.get("/w/acme/").content.decode()
    client.post(f"/w/acme/posts/{post.pk}/went_out/", {"channel": "acme-bsky"})
    assert Post.objects.get(pk=post.pk).state == "published"
    assert "Maybe sent" not in needs_a_person(client.get("/w/acme/").content.decode())


def test_the_overview_renders_registered_panels_in_order(personas: Any, client_for: Callable[[str], Client]) -> None:
    @panels.panel("test-first", order=1)
    def first(access: Any, request: Any) -> panels.Panel:
        return panels.Panel("publishing/panels/needs_a_person.html", {"notifications": [], "in_review": []})

    @panels.panel("test-hidden", order=2)
    def hidden(access: Any, request: Any) -> None:
        return None

    try:
        page = client_for("responder").get("/w/acme/").content.decode()
    finally:
        del panels.REGISTRY["test-first"], panels.REGISTRY["test-hidden"]
    assert page.count('data-panel="needs-a-person"') == 2
