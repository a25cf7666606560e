"""Posts from and to CSV: a dry run names every problem by row; an import is all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.publishing.models import Post


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("posts.csv", text.encode(), content_type="text/csv")


def future(days: int = 3) -> str:
    return (now() + dt.timedelta(days=days)).strftime("%Y-%m-%dT09:00")


def test_a_dry_run_lists_errors_by_row_and_writes_nothing(personas: Any, client_for: Callable[[str], Client]) -> None:
    text = (
        "post,channel,text,objective,scheduled_at\n"
        f"a,acme-bsky,Good row,eu-awareness,{future()}\n"
        f"b,acme-tiktok,No such channel,eu-awareness,{future()}\n"
        f"c,acme-bsky,{'x' * 301},eu-awareness,{future()}\n"
        "d,acme-bsky,Bad time,eu-awareness,next tuesday\n"
        f"e,acme-bsky,Bad objective,world-peace,{future()}\n"
    )
    response = client_for("editor").post("/w/acme/posts.csv/", {"file": upload(text), "dry": "1"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "row 3, channel: the plan has no channel &#x27;acme-tiktok&#x27;" in html
    assert "row 4, text: acme-bsky: 301 characters; Bluesky allows 300" in html
    assert "row 5, scheduled_at: &#x27;next tuesday&#x27; is not a date and time" in html
    assert "row 6, objective: the plan has no objective &#x27;world-peace&#x27;" in html
    response = client_for("editor").post("/w/acme/posts.csv/", {"file": upload(text), "confirm": "1"})
    assert response.status_code == 422
    assert not Post.objects.exists()


def test_an_import_groups_rows_into_posts_and_schedules_in_the_workspace_zone(
    personas: Any, client_for: Callable[[str], Client], acme: Workspace
) -> None:
    text = (
        "post,channel,text,objective,kind,scheduled_at,title\n"
        f"launch,acme-bsky,Meet the new Acme Commuter,eu-awareness,social,{future()},Launch\n"
        f"launch,acme-mastodon,The Acme Commuter: what we changed and why,eu-awareness,social,{future()},Launch\n"
        f"tips,acme-help,Three ways to keep your chain quiet,,,,\n"
    )
    response = client_for("strategist").post("/w/acme/posts.csv/", {"file": upload(text), "confirm": "1", "schedule": "1"})
    assert response.status_code == 302
    launch = Post.objects.get(title="Launch")
    assert launch.state == "scheduled"
    assert launch.scheduled_at is not None
    assert launch.scheduled_at.astimezone(acme.tzinfo).strftime("%Y-%m-%dT%H:%M") == future()
    assert launch.variants.count() == 2
    tips = Post.objects.exclude(pk=launch.pk).get()
    assert tips.state == "draft"


def test_export_has_a_row_per_variant(personas: Any, client_for: Callable[[str], Client]) -> None:
    text = f'post,channel,text,objective,scheduled_at\nx,acme-bsky,"Hello, with a comma",eu-awareness,{future()}\nx,acme-mastodon,Hello there,eu-awareness,{future()}\n'
    client_for("owner").post("/w/acme/posts.csv/", {"file": upload(text), "confirm": "1", "schedule": "1"})
    response = client_for("analyst").get("/w/acme/posts.csv/?download=1")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["channel"], r["text"], r["state"]) for r in rows] == [
        ("acme-bsky", "Hello, with a comma", "scheduled"),
        ("acme-mastodon", "Hello there", "scheduled"),
    ]


def test_files_that_are_not_csv_of_posts_get_a_clear_answer(personas: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("editor")
    assert (
        "missing column(s): channel, text" in client.post("/w/acme/posts.csv/", {"file": upload("a,b\n1,2\n"), "dry": "1"}).content.decode()
    )
    latin1 = SimpleUploadedFile("p.csv", "channel,text\nacme-bsky,Caf\xe9\n".encode("latin-1"))
    assert "not UTF-8" in client.post("/w/acme/posts.csv/", {"file": latin1, "dry": "1"}).content.decode()
    assert client_for("analyst").post("/w/acme/posts.csv/", {"file": upload("channel,text\n"), "dry": "1"}).status_code == 403
