"""The calendar's week with hours: each post in its hour's row, in the workspace's zone (Acme is
in Europe/Berlin), rows from 06:00 to 23:00 widened to any post outside them; entries name their
platforms and say when a post failed or was missed; a drop on an hour moves the post there."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from strata.accounts.models import Workspace
from strata.publishing import actions
from strata.publishing.actions import PostInput, VariantInput
from strata.publishing.models import Post

# Time stands on a winter Tuesday, so that Berlin is UTC+1 in every week these tests look at.
TODAY = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
WEDNESDAY = dt.date(2026, 12, 9)


@pytest.fixture(autouse=True)
def winter() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


def scheduled(workspace: Workspace, at: dt.datetime, *channels: str, title: str = "", text: str = "Five spring routes") -> Post:
    data = PostInput(variants=[VariantInput(c, f"{text} ({c})") for c in channels], objective_id="eu-awareness", title=title)
    post = actions.approve(post=actions.create_post(workspace=workspace, actor=None, data=data), actor=None)
    return actions.schedule(post=post, actor=None, at=at, accept_mix_warning=True)


def week(client: Client, day: dt.date) -> str:
    response = client.get(f"/w/acme/calendar/?view=week&date={day.isoformat()}")
    assert response.status_code == 200
    return response.content.decode()


def slot(page: str, day: dt.date, hour: int) -> str:
    found = re.search(rf'data-slot="{day.isoformat()}T{hour:02d}"[^>]*>(.*?)</div>', page, re.S)
    assert found is not None, f"no row for {hour:02d}:00 on {day}"
    return found.group(1)


def rows(page: str) -> list[str]:
    return re.findall(r'class="hour-label">(\d\d:\d\d)<', page)


def test_it_puts_a_post_in_its_hour_in_the_workspaces_zone(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    post = scheduled(acme, dt.datetime.combine(WEDNESDAY, dt.time(7, 30), dt.UTC), "acme-bsky", title="Canal path")
    page = week(client_for("analyst"), WEDNESDAY)
    assert f'data-post="{post.pk}"' in slot(page, WEDNESDAY, 8)  # 07:30 UTC is 08:30 in Berlin
    assert f'data-post="{post.pk}"' not in slot(page, WEDNESDAY, 7)
    assert "08:30 Canal path" in slot(page, WEDNESDAY, 8)
    assert rows(page) == [f"{h:02d}:00" for h in range(6, 24)]


def test_its_rows_widen_to_a_post_before_six(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    early = scheduled(acme, dt.datetime.combine(WEDNESDAY, dt.time(3, 15), acme.tzinfo), "acme-bsky", title="Sunrise ride")
    page = week(client_for("analyst"), WEDNESDAY)
    assert rows(page) == [f"{h:02d}:00" for h in range(3, 24)]
    assert f'data-post="{early.pk}"' in slot(page, WEDNESDAY, 3)
    # The week after has nothing so early: its rows begin at six again.
    assert rows(week(client_for("analyst"), WEDNESDAY + dt.timedelta(days=7)))[0] == "06:00"


def test_an_entry_names_its_platforms_and_shows_a_line_of_its_text(
    personas: Any, client_for: Callable[[str], Client], acme: Workspace
) -> None:
    post = scheduled(acme, dt.datetime.combine(WEDNESDAY, dt.time(10), acme.tzinfo), "acme-bsky", "acme-mastodon", title="Routes")
    entry = re.search(rf'data-post="{post.pk}"[^>]*>(.*?)</a>', week(client_for("analyst"), WEDNESDAY), re.S)
    assert entry is not None
    # The drawing is for the eye; the name is what a screen reader reads, and shows on hover.
    marks = re.findall(
        r'data-platform="(\w+)" title="([^"]+)"><span aria-hidden="true"><svg class="platform-icon"[^>]*><path d="[^"]+"/></svg></span>'
        r'<span class="visually-hidden">([^<]+)</span>',
        entry.group(1),
    )
    assert marks == [("bluesky", "Bluesky", "Bluesky"), ("mastodon", "Mastodon", "Mastodon")]
    assert '<span class="entry-line">Five spring routes (acme-bsky)</span>' in entry.group(1)


def test_failed_and_missed_posts_say_so_in_words(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    failed = scheduled(acme, dt.datetime.combine(WEDNESDAY, dt.time(9), acme.tzinfo), "acme-bsky", title="Failed one")
    missed = scheduled(acme, dt.datetime.combine(WEDNESDAY, dt.time(11), acme.tzinfo), "acme-bsky", title="Missed one")
    Post.objects.filter(pk=failed.pk).update(state=Post.State.FAILED)
    Post.objects.filter(pk=missed.pk).update(state=Post.State.MISSED)
    for view in ("week", "month"):
        page = client_for("analyst").get(f"/w/acme/calendar/?view={view}&date={WEDNESDAY.isoformat()}").content.decode()
        chips = dict(re.findall(r'data-post="(\d+)"[^>]*>(.*?)</a>', page, re.S))
        assert '<span aria-hidden="true">✕</span> Failed</span>' in chips[str(failed.pk)]
        assert '<span aria-hidden="true">✕</span> Missed</span>' in chips[str(missed.pk)]


def test_a_drop_on_an_hour_moves_the_post_to_that_hour_keeping_its_minutes(
    personas: Any, client_for: Callable[[str], Client], acme: Workspace
) -> None:
    post = scheduled(acme, dt.datetime.combine(WEDNESDAY, dt.time(10, 45), acme.tzinfo), "acme-bsky", title="Helmets")
    target = WEDNESDAY + dt.timedelta(days=1)
    answer = client_for("editor").post(f"/w/acme/posts/{post.pk}/move/", {"date": target.isoformat(), "hour": "14"})
    assert answer.status_code == 200
    assert answer.json()["message"] == "Helmets moved to Thu 10 Dec, 14:45."
    post.refresh_from_db()
    assert post.scheduled_at == dt.datetime.combine(target, dt.time(14, 45), acme.tzinfo)
    assert f'data-post="{post.pk}"' in slot(week(client_for("analyst"), target), target, 14)


@pytest.mark.parametrize("hour", ["24", "-1", "9am", "٣"])
def test_a_move_refuses_an_hour_that_is_not_one(personas: Any, client_for: Callable[[str], Client], acme: Workspace, hour: str) -> None:
    at = dt.datetime.combine(WEDNESDAY, dt.time(10, 45), acme.tzinfo)
    post = scheduled(acme, at, "acme-bsky")
    answer = client_for("editor").post(f"/w/acme/posts/{post.pk}/move/", {"date": WEDNESDAY.isoformat(), "hour": hour})
    assert (answer.status_code, answer.json()) == (422, {"message": "choose an hour from 0 to 23"})
    post.refresh_from_db()
    assert post.scheduled_at == at


def test_an_hour_the_clocks_skip_becomes_the_hour_after(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    # Summer time begins in Berlin on 28 March 2027: 02:30 that night does not exist.
    post = scheduled(acme, dt.datetime.combine(WEDNESDAY, dt.time(10, 30), acme.tzinfo), "acme-bsky", title="Night ride")
    answer = client_for("editor").post(f"/w/acme/posts/{post.pk}/move/", {"date": "2027-03-28", "hour": "2"})
    assert answer.json()["message"] == "Night ride moved to Sun 28 Mar, 03:30."
    post.refresh_from_db()
    assert post.scheduled_at == dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC)
