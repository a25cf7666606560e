"""The posts list: every post of a workspace searched, filtered, sorted and paged, in place with
htmx and as plain pages; bulk actions on the selected rows, each post's outcome told; and the
same list over the API."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils.timezone import now
from playwright.sync_api import Browser, expect

from strata.accounts.models import User, Workspace
from strata.publishing import actions
from strata.publishing.models import Post
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision
from tests.conftest import DEMO_PLAN, PASSWORD
from tests.test_browser import browser  # noqa: F401 - the shared Chromium fixture

# Playwright's sync API runs an event loop in this thread; the ORM calls between browser steps
# are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

LIST = "/w/acme/posts/"


def make(
    acme: Workspace,
    title: str,
    *,
    text: str = "Ride to work",
    channels: tuple[str, ...] = ("acme-bsky",),
    objective: str = "eu-awareness",
    pillar: str = "",
    state: str = "draft",
    at: dt.datetime | None = None,
) -> Post:
    post = actions.create_post(
        workspace=acme,
        actor=None,
        data=actions.PostInput(
            variants=[actions.VariantInput(c, f"{text} on {c}") for c in channels], title=title, objective_id=objective, pillar_id=pillar
        ),
    )
    if state in ("approved", "scheduled"):
        actions.approve(post=post, actor=None)
    if state == "scheduled":
        assert at is not None
        actions.schedule(post=post, actor=None, at=at, accept_mix_warning=True)
    return Post.objects.get(pk=post.pk)


def titles(body: str) -> list[str]:
    """The titles in the list's rows, top to bottom."""
    return re.findall(r'<td class="post-title"><a href="[^"]+">([^<]+)</a>', body)


def page(client: Client, query: str = "", *, htmx: bool = False) -> str:
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(f"{LIST}?{query}", headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def message(response: object) -> str:
    body = response.content.decode()  # type: ignore[attr-defined]
    found = re.search(r'<ul class="messages" role="status"><li class="(\w+)">(.*?)</li>', body)
    assert found, "no message shown"
    return f"{found.group(1)}: {found.group(2)}".replace("&#x27;", "'")


@pytest.fixture
def owner(client_for: Callable[[str], Client]) -> Client:
    return client_for("owner")


def test_it_shows_each_post_with_its_channels_state_objective_and_times(acme: Workspace, owner: Client) -> None:
    at = dt.datetime(2031, 3, 4, 8, 30, tzinfo=dt.UTC)
    make(acme, "Spring service", channels=("acme-bsky", "acme-mastodon"), pillar="repair-tips", state="scheduled", at=at)
    body = page(owner)
    row = body.split('<tr data-post="', 1)[1].split("</tr>", 1)[0]
    assert "Spring service" in row
    assert 'Bluesky <span class="muted">acme-bsky</span>' in row
    assert 'Mastodon <span class="muted">acme-mastodon</span>' in row
    assert ">Scheduled</span>" in row
    assert "eu-awareness" in row
    assert "Two-minute repair tips" in row  # the pillar's name, not its id
    assert "4 Mar 2031, 09:30 CET" in row  # the workspace's time, zone named
    assert "1 post." in body


def test_a_deleted_post_is_not_listed(acme: Workspace, owner: Client) -> None:
    make(acme, "Kept")
    gone = make(acme, "Gone")
    actions.delete_post(post=gone, actor=None)
    assert titles(page(owner)) == ["Kept"]


def test_search_finds_words_in_the_title_or_in_any_variant(acme: Workspace, owner: Client) -> None:
    make(acme, "Winter sale", text="Coats and gloves")
    make(acme, "Route of the week", text="Ride along the canal", channels=("acme-bsky", "acme-mastodon"))
    make(acme, "Other")
    assert titles(page(owner, "q=winter")) == ["Winter sale"]
    assert titles(page(owner, "q=CANAL")) == ["Route of the week"]  # once, though two variants match
    assert "No post matches these filters." in page(owner, "q=nothing+like+this")


def test_filters_narrow_by_state_channel_objective_pillar_and_day(acme: Workspace, owner: Client) -> None:
    soon = now() + dt.timedelta(days=2)
    make(acme, "Scheduled on Mastodon", channels=("acme-mastodon",), state="scheduled", at=soon)
    make(acme, "Repair draft", pillar="repair-tips", objective="")
    make(acme, "Traffic draft", objective="site-traffic")
    assert titles(page(owner, "state=scheduled")) == ["Scheduled on Mastodon"]
    assert titles(page(owner, "channel=acme-mastodon")) == ["Scheduled on Mastodon"]
    assert titles(page(owner, "objective=site-traffic")) == ["Traffic draft"]
    assert titles(page(owner, "pillar=repair-tips")) == ["Repair draft"]
    day = soon.astimezone(acme.tzinfo).date()
    assert titles(page(owner, f"since={day}&until={day}")) == ["Scheduled on Mastodon"]
    assert titles(page(owner, f"since={day + dt.timedelta(days=1)}")) == []


def test_a_filter_that_names_nothing_is_said_and_left_out(acme: Workspace, owner: Client) -> None:
    make(acme, "Only one")
    body = page(owner, "state=lost&since=yesterday")
    assert "State: there is no state &#x27;lost&#x27;; left out." in body
    assert "Scheduled from: &#x27;yesterday&#x27; is not a date (YYYY-MM-DD); left out." in body
    assert titles(body) == ["Only one"]


def test_it_sorts_by_time_last_change_and_title_both_ways(acme: Workspace, owner: Client) -> None:
    start = now() + dt.timedelta(days=1)
    make(acme, "Banana", state="scheduled", at=start + dt.timedelta(hours=2))
    make(acme, "Apple", state="scheduled", at=start + dt.timedelta(hours=1))
    make(acme, "Cherry")  # no time: last, either way
    assert titles(page(owner)) == ["Apple", "Banana", "Cherry"]
    assert titles(page(owner, "sort=-scheduled")) == ["Banana", "Apple", "Cherry"]
    assert titles(page(owner, "sort=title")) == ["Apple", "Banana", "Cherry"]
    assert titles(page(owner, "sort=-title")) == ["Cherry", "Banana", "Apple"]
    Post.objects.get(title="Banana").save()  # changed last
    assert titles(page(owner, "sort=-updated"))[0] == "Banana"
    assert titles(page(owner, "sort=updated"))[-1] == "Banana"


def test_a_column_heading_sorts_and_says_how(acme: Workspace, owner: Client) -> None:
    make(acme, "A post")
    body = page(owner, "q=post&sort=title")
    assert '<th scope="col" aria-sort="ascending"><a href="/w/acme/posts/?q=post&amp;sort=-title"' in body
    assert '<th scope="col" aria-sort="none"><a href="/w/acme/posts/?q=post&amp;sort=scheduled"' in body


def test_pages_keep_the_filters(acme: Workspace, owner: Client) -> None:
    for number in range(27):
        make(acme, f"Ride {number:02}")
    make(acme, "Not a match", text="Something else")
    first = page(owner, "q=ride&sort=title")
    assert "27 posts match." in first
    assert titles(first)[0] == "Ride 00"
    assert len(titles(first)) == 25
    assert 'href="/w/acme/posts/?q=ride&amp;sort=title&amp;page=2"' in first
    assert titles(page(owner, "q=ride&sort=title&page=2")) == ["Ride 25", "Ride 26"]


def test_htmx_gets_the_results_alone_and_the_order_field_follows(acme: Workspace, owner: Client) -> None:
    make(acme, "Winter sale")
    body = page(owner, "q=winter&sort=-title", htmx=True)
    assert "<!doctype" not in body.lower()
    assert titles(body) == ["Winter sale"]
    assert '<div id="f-sort-box" hx-swap-oob="true">' in body
    assert '<option value="-title" selected>' in body
    whole = page(owner)
    assert 'hx-get="/w/acme/posts/" hx-target="#results"' in whole
    assert 'hx-push-url="true"' in whole
    assert 'method="get" action="/w/acme/posts/"' in whole  # and the same form works without script


def test_bulk_approve_tells_each_posts_outcome(acme: Workspace, owner: Client) -> None:
    ok = [make(acme, f"Good {n}") for n in range(3)]
    stray = make(acme, "Winter sale", objective="")
    chosen = [str(p.pk) for p in [*ok, stray]]
    response = owner.post(f"{LIST}bulk/", {"action": "approve", "post": chosen, "back": "q=sale&page=1"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{LIST}?q=sale&page=1"  # back to the same list
    assert message(response) == (
        "warning: 3 posts approved; 'Winter sale' could not be approved: this post serves no objective (directly or through its"
        " pillar); tie it to one, or have an owner allow such posts in Settings › Publishing."
    )
    assert sorted(Post.objects.values_list("state", flat=True)) == ["approved", "approved", "approved", "draft"]


def test_bulk_actions_a_role_may_not_take_are_not_offered_and_are_refused(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    post = make(acme, "Waiting")
    editor = client_for("editor")
    body = page(editor)
    assert 'value="unschedule"' in body
    assert 'value="approve"' not in body
    assert editor.post(f"{LIST}bulk/", {"action": "approve", "post": [str(post.pk)]}).status_code == 403
    assert Post.objects.get(pk=post.pk).state == "draft"
    analyst = page(client_for("analyst"))
    assert titles(analyst) == ["Waiting"]
    assert "With the selected posts" not in analyst
    assert 'name="post"' not in analyst


def test_bulk_schedule_uses_each_posts_time_and_names_those_without_one(acme: Workspace, owner: Client) -> None:
    at = now() + dt.timedelta(days=4)
    timed = make(acme, "Has a time", state="approved")
    Post.objects.filter(pk=timed.pk).update(scheduled_at=at)  # the time chosen for it, not scheduled yet
    untimed = make(acme, "No time yet", state="approved")
    response = owner.post(f"{LIST}bulk/", {"action": "schedule", "post": [str(timed.pk), str(untimed.pk)]}, follow=True)
    assert (
        message(response)
        == "warning: 'Has a time' scheduled; 'No time yet' could not be scheduled: it has no time chosen yet; choose one on its page."
    )
    assert "acme-bsky is not connected. The post will fail there at its time" in response.content.decode()
    timed.refresh_from_db()
    assert (timed.state, timed.scheduled_at) == ("scheduled", at)
    assert list(timed.variants.values_list("state", flat=True)) == ["scheduled"]
    assert Post.objects.get(pk=untimed.pk).state == "approved"


def test_bulk_unschedule(acme: Workspace, owner: Client) -> None:
    posts = [make(acme, f"Soon {n}", state="scheduled", at=now() + dt.timedelta(days=n + 1)) for n in range(2)]
    draft = make(acme, "A draft")
    chosen = [str(p.pk) for p in [*posts, draft]]
    response = owner.post(f"{LIST}bulk/", {"action": "unschedule", "post": chosen}, follow=True)
    assert message(response) == (
        "warning: 2 posts taken off the calendar; 'A draft' could not be taken off the calendar: this post is not scheduled."
    )
    assert [p.state for p in Post.objects.filter(pk__in=[p.pk for p in posts])] == ["approved", "approved"]


def test_bulk_delete_asks_first_without_script_then_deletes(acme: Workspace, owner: Client) -> None:
    posts = [make(acme, f"Old {n}") for n in range(2)]
    chosen = [str(p.pk) for p in posts]
    asked = owner.post(f"{LIST}bulk/", {"action": "delete", "post": chosen, "back": "sort=title"})
    body = asked.content.decode()
    assert "<h1>Delete 2 posts?</h1>" in body
    assert "Old 0" in body
    assert "Old 1" in body
    assert Post.objects.filter(deleted_at=None).count() == 2  # nothing yet
    assert 'href="/w/acme/posts/?sort=title">Keep them</a>' in body
    confirmed = owner.post(f"{LIST}bulk/", {"action": "delete", "post": chosen, "confirm": "1", "back": "sort=title"}, follow=True)
    assert message(confirmed) == "success: 2 posts deleted."
    assert titles(confirmed.content.decode()) == []
    assert Post.objects.filter(deleted_at=None).count() == 0


def test_bulk_duplicate(acme: Workspace, owner: Client) -> None:
    post = make(acme, "Route of the week")
    response = owner.post(f"{LIST}bulk/", {"action": "duplicate", "post": [str(post.pk)]}, follow=True)
    assert message(response) == "success: 'Route of the week' duplicated as a new draft."
    assert sorted(titles(response.content.decode())) == ["Copy of Route of the week", "Route of the week"]


def test_a_bulk_action_without_a_selection_says_so(acme: Workspace, owner: Client) -> None:
    make(acme, "One")
    response = owner.post(f"{LIST}bulk/", {"action": "approve", "back": "state=draft"}, follow=True)
    assert message(response) == "error: Select at least one post first."
    assert response.redirect_chain[-1][0] == f"{LIST}?state=draft"


def test_a_bulk_action_touches_only_posts_of_its_workspace(acme: Workspace, owner: Client, client_for: Callable[[str], Client]) -> None:
    post = make(acme, "Acme's own")
    response = client_for("outsider").post("/w/rival/posts/bulk/", {"action": "duplicate", "post": [str(post.pk)]}, follow=True)
    assert message(response) == "error: Select at least one post first."
    assert Post.objects.count() == 1


def test_the_api_lists_with_the_same_search_filters_order_and_pages(
    acme: Workspace, client_for: Callable[[str], Client], token_for: Callable[[str], str]
) -> None:
    for name in ("Cherry", "Apple", "Banana"):
        make(acme, name, text="Fruit rides")
    make(acme, "Vegetable", text="Carrots", objective="site-traffic")
    headers = {"Authorization": f"Bearer {token_for('analyst')}"}

    def listed(query: str) -> list[str]:
        answer = Client().get(f"/api/v1/workspaces/acme/posts?{query}", headers=headers)
        assert answer.status_code == 200, answer.content
        return [p["title"] for p in answer.json()]

    assert listed("q=fruit&sort=title") == ["Apple", "Banana", "Cherry"]
    assert listed("q=fruit&sort=-title&limit=2&offset=1") == ["Banana", "Apple"]
    assert listed("objective=site-traffic") == ["Vegetable"]
    wrong = Client().get("/api/v1/workspaces/acme/posts?state=lost", headers=headers)
    assert wrong.status_code == 422
    assert wrong.json() == {"detail": "State: there is no state 'lost'", "field": "state"}


@pytest.mark.browser
def test_in_a_browser_selected_rows_are_approved_at_once_and_each_outcome_shown(
    browser: Browser,  # noqa: F811
    live_server: Any,
    transactional_db: Any,
) -> None:
    owner = User.objects.create_user("lead@acme.example", PASSWORD, name="Lead")
    acme, _ = import_plan(
        data=DEMO_PLAN.read_bytes(), filename="demo.yaml", workspace=None, slug="acme", author=owner, source=PlanRevision.Source.IMPORT
    )
    for name in ("Route of the week", "Spring service"):
        make(acme, name)
    make(acme, "Winter sale", objective="")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill("lead@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your workspaces")).to_be_visible()

    page.goto("/w/acme/posts/")
    page.get_by_label("Select all on this page").check()
    expect(page.get_by_label("Select Winter sale")).to_be_checked()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_have_text(
        "2 posts approved; 'Winter sale' could not be approved: this post serves no objective (directly or through its pillar);"
        " tie it to one, or have an owner allow such posts in Settings › Publishing."
    )
    expect(page.locator("tr", has_text="Route of the week").get_by_text("Approved", exact=True)).to_be_visible()
    expect(page.locator("tr", has_text="Winter sale").get_by_text("Draft", exact=True)).to_be_visible()
    context.close()
