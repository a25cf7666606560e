"""Posts from and to CSV: a dry run names every problem by row; an import is all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
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


def test_an_export_imports_back_as_the_same_posts(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    client = client_for("owner")
    at = (now() + dt.timedelta(days=4)).astimezone(acme.tzinfo).replace(second=0, microsecond=0)
    text = (
        "post,channel,text,link,thread,objective,pillar,kind,title,scheduled_at\n"
        f'launch,acme-bsky,"Meet the Acme Commuter, our new bike",https://acme.example/commuter,"Part two\n---\nPart three",eu-awareness,,promotional,Launch,{at.isoformat()}\n'
        f"launch,acme-mastodon,The Acme Commuter: what we changed and why,,,eu-awareness,,promotional,Launch,{at.isoformat()}\n"
        "tip,acme-help,Three ways to keep your chain quiet,,,,routes,,,\n"
    )
    assert client.post("/w/acme/posts.csv/", {"file": upload(text), "confirm": "1", "schedule": "1"}).status_code == 302

    def posts() -> list[tuple[Any, ...]]:
        return sorted(
            (p.title, p.objective_id, p.pillar_id, p.kind, p.state, p.scheduled_at, v.channel_id, v.text, v.link, tuple(v.thread))
            for p in Post.objects.prefetch_related("variants")
            for v in p.variants.all()
        )

    before = posts()
    exported = client.get("/w/acme/posts.csv/?download=1").content.decode()
    Post.objects.all().delete()
    dry = client.post("/w/acme/posts.csv/", {"file": upload(exported), "dry": "1", "schedule": "1"})
    assert dry.status_code == 200
    assert "Ready: 2 posts" in dry.content.decode()
    assert "Ignored the columns state, variant_state, uri, url: Strata sets these itself." in dry.content.decode()
    assert client.post("/w/acme/posts.csv/", {"file": upload(exported), "confirm": "1", "schedule": "1"}).status_code == 302
    assert posts() == before
    assert any(row[-1] == ("Part two", "Part three") for row in before)


def test_a_published_post_exported_imports_back_as_a_draft(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    client = client_for("editor")
    text = f"post,channel,text,objective,scheduled_at\nold,acme-bsky,Last week's ride,eu-awareness,{future()}\n"
    client.post("/w/acme/posts.csv/", {"file": upload(text), "confirm": "1"})
    Post.objects.update(state=Post.State.PUBLISHED, scheduled_at=now() - dt.timedelta(days=7))
    exported = client.get("/w/acme/posts.csv/?download=1").content.decode()
    page = client.post("/w/acme/posts.csv/", {"file": upload(exported), "dry": "1"}).content.decode()
    assert "Ready: 1 post" in page
    assert "The posts become drafts" in page


def test_a_semicolon_file_with_a_byte_order_mark_imports(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    text = f'\ufeffpost;channel;text;objective;scheduled_at\na;acme-bsky;"Hello; and welcome, Berlin";eu-awareness;{future()}\n'
    file = SimpleUploadedFile("posts.csv", text.encode("utf-8"), content_type="text/csv")
    response = client_for("strategist").post("/w/acme/posts.csv/", {"file": file, "confirm": "1", "schedule": "1"})
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.state == "scheduled"
    assert post.variants.get().text == "Hello; and welcome, Berlin"
    file = SimpleUploadedFile("posts.csv", text.encode("utf-8"), content_type="text/csv")
    page = client_for("strategist").post("/w/acme/posts.csv/", {"file": file, "dry": "1"}).content.decode()
    assert "Cells are separated by semicolons." in page


def test_import_without_a_file_says_so_in_the_form(personas: Any, client_for: Callable[[str], Client]) -> None:
    response = client_for("editor").post("/w/acme/posts.csv/", {"confirm": "1"})
    assert response.status_code == 422
    html = response.content.decode()
    assert '<p class="field-error" id="f-file-error">Choose a CSV file first.</p>' in html
    assert 'aria-describedby="f-file-error"' in html
    assert not Post.objects.exists()


def test_after_a_clean_dry_run_import_does_not_ask_for_the_file_again(
    personas: Any, client_for: Callable[[str], Client], acme: Workspace
) -> None:
    client = client_for("editor")
    text = "channel,text,objective\nacme-bsky,Checked once,eu-awareness\n"
    page = client.post("/w/acme/posts.csv/", {"file": upload(text), "dry": "1"}).content.decode()
    assert "Checked file: <strong>posts.csv</strong>" in page
    assert not Post.objects.exists()
    found = re.search(r'name="checked" value="(\d+)"', page)
    assert found is not None
    # Someone else cannot import it with its number; its checker can, without the file.
    other = client_for("strategist").post("/w/acme/posts.csv/", {"checked": found.group(1), "confirm": "1"})
    assert other.status_code == 422
    assert "The checked file is no longer kept" in other.content.decode()
    response = client.post("/w/acme/posts.csv/", {"checked": found.group(1), "confirm": "1"})
    assert response.status_code == 302
    assert Post.objects.get().variants.get().text == "Checked once"
    again = client.post("/w/acme/posts.csv/", {"checked": found.group(1), "confirm": "1"})  # imported once only
    assert again.status_code == 422
    assert Post.objects.count() == 1
