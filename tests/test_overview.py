"""The workspace overview as a dashboard: plan health with its trend over revisions, this week's
calendar, the mix per channel, and cards that show a role only what it may do. Acme is in
Europe/Berlin (UTC+1 in December)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from strata.accounts.models import Workspace
from strata.publishing import actions
from strata.publishing.actions import PostInput, VariantInput
from strata.publishing.models import Notification, Post
from strata.strategy import panels, store
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision
from tests.conftest import DEMO_PLAN
from tests.plans import complete_plan_text

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)  # a Tuesday


@pytest.fixture(autouse=True)
def winter() -> Iterator[None]:
    # With time stopped, a revision of an earlier test can share this one's id and creation
    # time, the key of the parsed plans the store keeps: start each test without them.
    store._parsed.clear()
    with time_machine.travel(NOW, tick=False):
        yield


def scheduled(workspace: Workspace, at: dt.datetime, channel: str = "acme-bsky", *, title: str = "", kind: str = "") -> Post:
    data = PostInput(
        variants=[VariantInput(channel, f"{title or 'A route'} ({channel})")], objective_id="eu-awareness", title=title, kind=kind
    )
    post = actions.approve(post=actions.create_post(workspace=workspace, actor=None, data=data), actor=None)
    return actions.schedule(post=post, actor=None, at=at, accept_mix_warning=True)


def revise(workspace: Workspace, text: str) -> None:
    import_plan(data=text.encode(), filename="plan.yaml", workspace=workspace, slug=workspace.slug, author=None, source="import")


def card(page: str, name: str) -> str:
    match = re.search(rf'<section[^>]*data-panel="{name}".*?</section>', page, re.S)
    assert match, f"no {name} card on the overview"
    return match.group(0)


def test_the_trend_shows_one_point_per_revision_ending_at_the_score_shown(client_for: Callable[[str], Client], acme: Workspace) -> None:
    revise(acme, complete_plan_text().replace("Acme Bikes", "Acme"))
    revise(acme, DEMO_PLAN.read_text())
    page = client_for("analyst").get("/w/acme/").content.decode()
    health = card(page, "plan-health")
    shown = int(re.search(r'class="score \w+">(\d+)<', health).group(1))  # type: ignore[union-attr]
    points = re.findall(r'data-revision="(\d+)" data-score="(\d+)"', health)
    assert [int(n) for n, _ in points] == [1, 2, 3]
    assert int(points[-1][1]) == shown
    assert int(points[1][1]) > int(points[0][1])  # the complete plan scores better than the demo's
    assert f"{points[0][1]} at revision 1, {shown} now" in health


def test_a_revision_keeps_the_score_it_had_while_it_was_the_plan(client_for: Callable[[str], Client], acme: Workspace) -> None:
    client = client_for("owner")
    client.get("/w/acme/")
    first = PlanRevision.objects.get(workspace=acme, number=1).score
    assert first is not None
    revise(acme, complete_plan_text().replace("Acme Bikes", "Acme"))
    client.get("/w/acme/")
    assert PlanRevision.objects.get(workspace=acme, number=1).score == first
    assert PlanRevision.objects.get(workspace=acme, number=2).score != first


def test_later_views_read_the_trend_in_the_same_number_of_queries_however_many_revisions(
    client_for: Callable[[str], Client], acme: Workspace
) -> None:
    client = client_for("owner")

    def queries() -> int:
        client.get("/w/acme/")  # scores the revisions that have none yet
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/w/acme/").status_code == 200
        return len(captured)

    revise(acme, DEMO_PLAN.read_text())
    few = queries()
    for _ in range(5):
        revise(acme, DEMO_PLAN.read_text())
    assert queries() == few


def test_this_weeks_posts_appear_under_their_day_in_the_workspace_zone(client_for: Callable[[str], Client], acme: Workspace) -> None:
    # 23:30 UTC on Thursday is 00:30 on Friday in Berlin: the post belongs to Friday.
    late = scheduled(acme, dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC), "acme-mastodon", title="Night ride")
    morning = scheduled(acme, dt.datetime(2026, 12, 1, 16, 0, tzinfo=dt.UTC), title="Repair evening")
    scheduled(acme, dt.datetime(2026, 12, 9, 8, 0, tzinfo=dt.UTC), title="Next week")
    week = card(client_for("creative").get("/w/acme/").content.decode(), "this-week")
    days = dict(re.findall(r'<li data-day="([\d-]+)">(.*?)</li>\s*(?=<li data-day|</ol>)', week, re.S))
    assert list(days) == [f"2026-12-0{d}" for d in range(1, 8)]
    assert "Today" in days["2026-12-01"]
    assert f'data-post="{morning.pk}"' in days["2026-12-01"]
    assert "17:00 CET" in days["2026-12-01"]
    assert f'data-post="{late.pk}"' in days["2026-12-04"]
    assert "00:30 CET" in days["2026-12-04"]
    assert "Mastodon" in days["2026-12-04"]  # the platform by name
    assert f"/w/acme/posts/{late.pk}/" in week
    assert "Next week" not in week
    assert "/w/acme/calendar/?view=week" in week


def test_the_mix_bar_shows_each_channels_promotional_share_against_the_target(client_for: Callable[[str], Client], acme: Workspace) -> None:
    scheduled(acme, NOW + dt.timedelta(days=1), title="Helmet sale", kind="promotional")
    scheduled(acme, NOW + dt.timedelta(days=2), title="Canal route", kind="social")
    scheduled(acme, NOW + dt.timedelta(days=2), "acme-mastodon", title="Rain gear", kind="social")
    mix = card(client_for("editor").get("/w/acme/").content.decode(), "mix")
    bsky = re.search(r'<li data-mix="acme-bsky">.*?</li>', mix, re.S).group(0)  # type: ignore[union-attr]
    assert 'class="mix-fill over" width="50"' in bsky
    assert "50 %" in bsky
    assert "(1 of 2)" in bsky
    assert "over" in bsky
    assert 'x1="30"' in bsky  # the demo plan's target, 30 %
    mastodon = re.search(r'<li data-mix="acme-mastodon">.*?</li>', mix, re.S).group(0)  # type: ignore[union-attr]
    assert 'width="0"' in mastodon
    assert "over" not in mastodon
    assert "Pinterest" in mix  # platforms by name


def test_a_role_sees_no_link_to_what_it_may_not_do(client_for: Callable[[str], Client], acme: Workspace) -> None:
    post = scheduled(acme, NOW + dt.timedelta(days=1), title="Helmet sale")
    Post.objects.filter(pk=post.pk).update(state=Post.State.FAILED)
    Notification.objects.create(workspace=acme, post=post, text="Helmet sale failed on acme-bsky")
    analyst = client_for("analyst").get("/w/acme/").content.decode()
    assert "Helmet sale failed" in analyst  # everyone sees what needs a person
    assert "/posts/new/" not in card(analyst, "this-week")
    assert "Change the target" not in card(analyst, "mix")
    assert "/done/" not in card(analyst, "needs-a-person")
    strategist = client_for("strategist").get("/w/acme/").content.decode()
    assert "/posts/new/" in card(strategist, "this-week")
    assert "Change the target" in card(strategist, "mix")
    assert "/done/" in card(strategist, "needs-a-person")


def test_the_overview_asks_the_same_number_of_queries_however_many_posts(client_for: Callable[[str], Client], acme: Workspace) -> None:
    client = client_for("owner")

    def queries() -> int:
        client.get("/w/acme/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/w/acme/").status_code == 200
        return len(captured)

    for day in range(1, 3):
        scheduled(acme, NOW + dt.timedelta(days=day), title=f"Post {day}")
    few = queries()
    for day in range(3, 21):
        scheduled(acme, NOW + dt.timedelta(days=day % 7, hours=day), "acme-mastodon" if day % 2 else "acme-bsky", title=f"Post {day}")
    assert queries() == few


def test_an_outsider_sees_nothing_of_the_workspace(client_for: Callable[[str], Client], personas: Any) -> None:
    assert client_for("outsider").get("/w/acme/").status_code == 404


def test_a_registered_panel_costs_no_query_of_its_own_to_render(client_for: Callable[[str], Client], acme: Workspace) -> None:
    client = client_for("owner")

    def queries() -> int:
        client.get("/w/acme/")
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/w/acme/").content.decode()
        assert 'name="csrfmiddlewaretoken"' in card(page, "needs-a-person")  # the cards' forms still post
        return len(captured)

    post = scheduled(acme, NOW + dt.timedelta(days=1), title="Helmet sale")
    Notification.objects.create(workspace=acme, post=post, text="Helmet sale failed on acme-bsky")
    before = queries()

    @panels.panel("test-static", order=35)
    def static(access: Any, request: Any) -> panels.Panel:
        return panels.Panel("publishing/panels/needs_a_person.html", {"notifications": [], "in_review": []})

    try:
        assert queries() == before
    finally:
        del panels.REGISTRY["test-static"]
