"""Compose: each variant previewed as its network shows it, images added while writing, and
publishing now from compose, the post page and the command line."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.publishing import actions
from strata.publishing.models import ChannelAccount, Media, Post, Variant
from tests.test_publish_bluesky import png


@pytest.fixture(autouse=True)
def uploads(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def preview(client: Client, **fields: str) -> str:
    data = {"objective": "eu-awareness", **{k.replace("__", ".").replace("_", "-"): v for k, v in fields.items()}}
    response = client.post("/w/acme/posts/new/", data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def card(html: str, channel: str) -> str:
    match = re.search(rf'<article class="pv[^"]*" data-channel="{channel}".*?</article>', html, re.S)
    assert match, f"no preview for {channel}"
    return match.group(0)


def test_it_previews_a_variant_with_name_handle_highlights_and_link_card(personas: Any, client_for: Callable[[str], Client]) -> None:
    html = card(
        preview(
            client_for("editor"),
            text__acme_bsky="Ride with @lena.bsky.social to the lake #commute https://routes.example/lake?day=sat.",
        ),
        "acme-bsky",
    )
    assert "Acme Bikes" in html
    assert "acme.bsky.social" in html
    assert '<span class="pv-mention">@lena.bsky.social</span>' in html
    assert '<span class="pv-tag">#commute</span>' in html
    assert '<span class="pv-link">https://routes.example/lake?day=sat</span>.' in html  # the full stop is not part of it
    assert '<span class="pv-domain">routes.example</span>' in html
    assert "85 / 300 graphemes" in html


def test_it_shows_the_connected_accounts_handle(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    account = ChannelAccount(
        workspace=acme, channel_id="acme-bsky", platform="bluesky", service="https://pds.example", handle="acmebikes.example"
    )
    account.set_secret("app-password")
    account.save()
    html = card(preview(client_for("editor"), text__acme_bsky="Spring is here"), "acme-bsky")
    assert "acmebikes.example" in html
    assert "acme.bsky.social" not in html


def test_it_counts_as_each_platform_and_says_how_far_over(personas: Any, client_for: Callable[[str], Client]) -> None:
    link = "https://routes.example/" + "a" * 80
    html = preview(
        client_for("editor"),
        text__acme_bsky="🚲" * 310,
        text__acme_mastodon=f"Our new map {link}",
        link__acme_mastodon="https://shop.example/helmets",
    )
    bluesky = card(html, "acme-bsky")
    assert 'class="pv-count over"' in bluesky
    assert "310 / 300 graphemes" in bluesky
    assert "10 over" in bluesky
    mastodon = card(html, "acme-mastodon")
    # "Our new map " + a link as 23 + " " + the given link, added at the end, as 23.
    assert "59 / 500 characters, every link as 23" in mastodon
    assert "over" not in mastodon.split("pv-count")[1]
    assert '<span class="pv-domain">shop.example</span>' in mastodon  # the given link makes the card


def test_hostile_text_and_links_come_out_inert(personas: Any, client_for: Callable[[str], Client]) -> None:
    html = preview(
        client_for("editor"),
        text__acme_bsky='<script>alert("x")</script> <img src=x onerror=alert(1)> javascript:alert(1) "><b>bold</b>',
        link__acme_bsky="javascript:alert(1)",
    )
    part = card(html, "acme-bsky")
    assert "<script>" not in part
    assert "<img src=x" not in part
    assert "<b>bold" not in part
    assert "&lt;script&gt;" in part
    assert "&lt;img src=x onerror=alert(1)&gt;" in part
    assert "javascript:alert(1)" in part  # shown as the text it is
    assert "href=" not in part
    assert "pv-card" not in part


def test_adding_an_image_saves_the_draft_shows_its_thumbnail_and_removing_it_takes_it_off(
    personas: Any, client_for: Callable[[str], Client], acme: Workspace
) -> None:
    client = client_for("editor")
    added = client.post(
        "/w/acme/posts/new/",
        {
            "objective": "eu-awareness",
            "text.acme-bsky": "Our route map",
            "image.acme-bsky": SimpleUploadedFile("map.png", png(), content_type="image/png"),
            "alt.acme-bsky": "The route in orange on a map of Berlin",
            "add_image": "acme-bsky",
        },
    )
    post = Post.objects.get()
    assert added.status_code == 302
    assert added["Location"] == f"/w/acme/posts/{post.pk}/edit/#images-acme-bsky"
    assert post.state == "draft"
    media = Media.objects.get()
    page = client.get(added["Location"]).content.decode()
    src = f"/w/acme/posts/{post.pk}/media/{media.pk}/"
    assert f'<img src="{src}" alt="The route in orange on a map of Berlin" class="thumb">' in page
    assert "Image added; the draft is saved." in page
    assert f'<img src="{src}" alt="The route in orange on a map of Berlin">' in card(page, "acme-bsky")  # in the preview too
    image = client.get(src)
    assert image["Content-Type"] == "image/png"
    assert image.content == png()

    removed = client.post(
        f"/w/acme/posts/{post.pk}/edit/",
        {"objective": "eu-awareness", "text.acme-bsky": "Our route map, without the map", "remove_image": str(media.pk)},
    )
    assert removed.status_code == 302
    assert not Media.objects.exists()
    assert Variant.objects.get().text == "Our route map, without the map"  # what was typed is kept
    assert client.get(src).status_code == 404


def test_an_image_without_alt_text_is_refused_and_nothing_is_saved(personas: Any, client_for: Callable[[str], Client]) -> None:
    response = client_for("editor").post(
        "/w/acme/posts/new/",
        {
            "objective": "eu-awareness",
            "text.acme-bsky": "Our route map",
            "image.acme-bsky": SimpleUploadedFile("map.png", png(), content_type="image/png"),
            "alt.acme-bsky": " ",
            "add_image": "acme-bsky",
        },
    )
    assert response.status_code == 422
    assert "describe the image" in response.content.decode()
    assert "Our route map" in response.content.decode()  # the text is still there to fix and retry
    assert not Post.objects.exists()


def test_an_image_cannot_be_removed_once_its_variant_went_out(acme: Workspace) -> None:
    post = actions.create_post(
        workspace=acme, actor=None, data=actions.PostInput(variants=[actions.VariantInput("acme-bsky", "Map")], objective_id="eu-awareness")
    )
    media = actions.add_media(post=post, actor=None, channel_id="acme-bsky", data=png(), alt="A map")
    Variant.objects.filter(post=post).update(state=Variant.State.PUBLISHED)
    with pytest.raises(actions.Conflict):
        actions.remove_media(post=post, actor=None, media_id=media.pk)
    assert Media.objects.filter(pk=media.pk).exists()


def test_publish_now_from_compose_approves_and_hands_it_to_the_publisher(personas: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("owner")
    page = client.get("/w/acme/posts/new/").content.decode()
    assert ">Publish now</button>" in page
    response = client.post(
        "/w/acme/posts/new/", {"objective": "eu-awareness", "text.acme-bsky": "Out right now", "publish": "1"}, follow=True
    )
    post = Post.objects.get()
    assert post.state == "scheduled"
    assert post.scheduled_at is not None
    assert abs(post.scheduled_at - now()) < dt.timedelta(minutes=1)
    assert Variant.objects.get().state == "scheduled"
    html = response.content.decode()
    assert "Publishing now" in html
    assert "acme-bsky is not connected" in html  # the same warning as scheduling


def test_publish_now_keeps_approvals_rules(personas: Any, client_for: Callable[[str], Client]) -> None:
    response = client_for("owner").post("/w/acme/posts/new/", {"objective": "", "text.acme-bsky": "About nothing", "publish": "1"})
    assert response.status_code == 422
    assert "serves no objective" in response.content.decode()
    assert not Post.objects.exists()


def test_an_editor_who_may_not_approve_sees_no_publish_now(personas: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("editor")
    assert "Publish now" not in client.get("/w/acme/posts/new/").content.decode()
    response = client.post("/w/acme/posts/new/", {"objective": "eu-awareness", "text.acme-bsky": "Sneaky", "publish": "1"})
    assert response.status_code == 403
    assert not Post.objects.exists()


def test_publish_now_from_the_post_page(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    post = actions.create_post(
        workspace=acme, actor=None, data=actions.PostInput(variants=[actions.VariantInput("acme-bsky", "Hi")], objective_id="eu-awareness")
    )
    actions.approve(post=post, actor=None)
    client = client_for("editor")
    assert f'action="/w/acme/posts/{post.pk}/publish-now/"' in client.get(f"/w/acme/posts/{post.pk}/").content.decode()
    response = client.post(f"/w/acme/posts/{post.pk}/publish-now/", follow=True)
    post.refresh_from_db()
    assert post.state == "scheduled"
    assert post.scheduled_at is not None
    assert post.scheduled_at <= now()
    assert "Publishing now" in response.content.decode()


def test_the_command_publishes_a_saved_post_now(acme: Workspace) -> None:
    post = actions.create_post(
        workspace=acme, actor=None, data=actions.PostInput(variants=[actions.VariantInput("acme-bsky", "Hi")], objective_id="eu-awareness")
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("post", "schedule", str(post.pk), "--workspace", "acme", "--now", stdout=out, stderr=err)
    post.refresh_from_db()
    assert out.getvalue().strip() == str(post.pk)
    assert post.state == "scheduled"
    assert post.scheduled_at is not None
    assert post.scheduled_at <= now()
    assert "acme-bsky is not connected" in err.getvalue()


def test_the_command_writes_and_publishes_a_new_post_now(acme: Workspace) -> None:
    out = io.StringIO()
    call_command(
        "post",
        "schedule",
        "--workspace",
        "acme",
        "--channel",
        "acme-bsky",
        "--objective",
        "eu-awareness",
        "--text",
        "Now",
        "--now",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert Post.objects.get(pk=int(out.getvalue())).state == "scheduled"


def test_the_command_needs_a_time_or_now(acme: Workspace) -> None:
    with pytest.raises(CommandError):
        call_command("post", "schedule", "--workspace", "acme", "--channel", "acme-bsky", "--text", "When?")


def test_publish_now_asks_before_pushing_promotion_over_the_mix(personas: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("owner")
    form = {"objective": "eu-awareness", "kind": "promotional", "text.acme-bsky": "Helmets: 20 % off until Sunday", "publish": "1"}
    warned = client.post("/w/acme/posts/new/", form)
    assert warned.status_code == 409
    html = warned.content.decode()
    assert "pushes promotion over the plan&#x27;s mix" in html
    assert 'name="accept_mix"' in html
    assert not Post.objects.exists()
    assert client.post("/w/acme/posts/new/", {**form, "accept_mix": "1"}).status_code == 302
    assert Post.objects.get().state == "scheduled"


def test_an_image_for_a_channel_without_text_asks_for_the_text_first(personas: Any, client_for: Callable[[str], Client]) -> None:
    response = client_for("editor").post(
        "/w/acme/posts/new/",
        {
            "objective": "eu-awareness",
            "text.acme-bsky": "Our route map",
            "image.acme-help": SimpleUploadedFile("map.png", png(), content_type="image/png"),
            "alt.acme-help": "A map",
            "add_image": "acme-help",
        },
    )
    assert response.status_code == 422
    assert "write the text for acme-help first" in response.content.decode()
    assert not Post.objects.exists()
