"""Creatives add images with alt text; what went wrong waits for a person on the calendar."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.publishing import actions, delivery
from strata.publishing.models import Attempt, Media, Notification, Variant
from tests.test_publish_bluesky import png


def draft(workspace: Workspace) -> Any:
    return actions.create_post(
        workspace=workspace,
        actor=None,
        data=actions.PostInput(variants=[actions.VariantInput("acme-bsky", "Our route map")], objective_id="eu-awareness"),
    )


def test_a_creative_adds_an_image_with_alt_text(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    post = draft(acme)
    client = client_for("creative")
    response = client.post(
        f"/w/acme/posts/{post.pk}/media/",
        {
            "channel": "acme-bsky",
            "alt": "The route in orange on a map of Berlin",
            "file": SimpleUploadedFile("map.png", png(), content_type="image/png"),
        },
    )
    assert response.status_code == 302
    media = Media.objects.get()
    assert (media.mime, media.alt) == ("image/png", "The route in orange on a map of Berlin")
    assert "The route in orange" in client.get(f"/w/acme/posts/{post.pk}/").content.decode()
    assert client_for("analyst").post(f"/w/acme/posts/{post.pk}/media/", {"channel": "acme-bsky", "alt": "x"}).status_code == 403
    # Described better later, without removing the image; an empty description is refused.
    client.post(f"/w/acme/posts/{post.pk}/media/{media.pk}/alt/", {"alt": "  The canal route in orange, from Kreuzberg west  "})
    media.refresh_from_db()
    assert media.alt == "The canal route in orange, from Kreuzberg west"
    refused = client.post(f"/w/acme/posts/{post.pk}/media/{media.pk}/alt/", {"alt": " "}, follow=True)
    assert "describe the image" in refused.content.decode()
    assert Media.objects.get().alt == "The canal route in orange, from Kreuzberg west"


def test_images_without_alt_text_or_that_are_not_images_are_refused(
    personas: Any, client_for: Callable[[str], Client], acme: Workspace
) -> None:
    post = draft(acme)
    client = client_for("editor")
    no_alt = client.post(
        f"/w/acme/posts/{post.pk}/media/", {"channel": "acme-bsky", "alt": " ", "file": SimpleUploadedFile("m.png", png())}, follow=True
    )
    assert "alt text" in no_alt.content.decode()
    script = client.post(
        f"/w/acme/posts/{post.pk}/media/",
        {"channel": "acme-bsky", "alt": "a", "file": SimpleUploadedFile("x.png", b"<script>alert(1)</script>")},
        follow=True,
    )
    assert "not a PNG, JPEG, GIF or WebP image" in script.content.decode()
    assert not Media.objects.exists()


def test_a_failed_post_waits_on_the_calendar_for_a_person(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    post = draft(acme)
    actions.approve(post=post, actor=None)
    actions.schedule(post=post, actor=None, at=now() + dt.timedelta(minutes=5))
    Variant.objects.filter(post=post).update(next_attempt_at=now(), due_at=now())
    delivery.run_once(worker="t:1")  # the channel is not connected
    assert not Attempt.objects.exists()  # the platform was never called
    page = html.unescape(client_for("editor").get("/w/acme/calendar/").content.decode())
    assert "Needs a person" in page
    # which post, on which channel, and what a person does about it
    assert "Our route map on acme-bsky: failed. channel 'acme-bsky' is not connected; connect it, then schedule again" in page
    notification = Notification.objects.get()
    client_for("editor").post(f"/w/acme/notifications/{notification.pk}/done/")
    assert "Needs a person" not in client_for("editor").get("/w/acme/calendar/").content.decode()


def test_owners_set_the_lateness_that_counts_as_missed(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    client_for("owner").post("/w/acme/publishing-settings/", {"missed_after_minutes": "15", "allow_posts_without_objective": "1"})
    settings = actions.settings_for(acme)
    assert (settings.missed_after_minutes, settings.allow_posts_without_objective) == (15, True)
    assert client_for("strategist").post("/w/acme/publishing-settings/", {"missed_after_minutes": "5"}).status_code == 403
    bad = client_for("owner").post("/w/acme/publishing-settings/", {"missed_after_minutes": "-3"}, follow=True)
    assert "a number of minutes" in bad.content.decode()


def test_the_channels_page_tells_which_channels_strata_cannot_publish_to(client_for: Callable[[str], Client]) -> None:
    page = client_for("owner").get("/w/acme/channels/").content.decode()
    assert "Strata cannot publish to pinterest yet." in page
    assert 'value="acme-pinterest"' not in page  # not offered for connection
    assert 'value="acme-bsky"' in page
