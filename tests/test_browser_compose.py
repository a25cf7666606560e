"""Compose in a real browser (Debian's Chromium via Playwright), by keyboard where a person
would: the preview follows the typing without taking the focus, counts as the platform does,
an image goes up with its alt text and shows as a thumbnail, comes off again, and the post is
published now."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from strata.accounts.models import Membership, User
from strata.accounts.roles import Role
from strata.publishing.models import Media, Post
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision
from tests.conftest import DEMO_PLAN, PASSWORD
from tests.test_browser import browser  # noqa: F401 - the shared Chromium fixture
from tests.test_publish_bluesky import png

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page(browser: Browser, live_server: Any, transactional_db: Any, settings: Any, tmp_path: Path) -> Iterator[Page]:  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    user = User.objects.create_user("lead@acme.example", PASSWORD, name="Lead")
    workspace, _ = import_plan(
        data=DEMO_PLAN.read_bytes(), filename="demo.yaml", workspace=None, slug="acme", author=user, source=PlanRevision.Source.DEMO
    )
    Membership.objects.get_or_create(user=user, workspace=workspace, defaults={"role": Role.OWNER})
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 1000}, timezone_id="Europe/Berlin")
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill("lead@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    yield page
    context.close()


def test_compose_preview_image_and_publish_now(page: Page, tmp_path: Path) -> None:
    page.goto("/w/acme/posts/new/")
    page.get_by_label("Objective it serves").select_option("eu-awareness")
    text = page.locator("#f-text-acme-bsky")
    text.focus()
    page.keyboard.type("Ride with @lena.bsky.social #commute https://routes.example/lake")
    bluesky = page.locator('#preview [data-channel="acme-bsky"]')
    expect(bluesky.locator(".pv-mention")).to_have_text("@lena.bsky.social")
    expect(bluesky.locator(".pv-tag")).to_have_text("#commute")
    expect(bluesky.locator(".pv-domain")).to_have_text("routes.example")
    expect(bluesky.locator("[data-count]")).to_have_text("64 / 300 graphemes")
    expect(text).to_be_focused()  # the preview changed beside the writer, not under their cursor
    expect(page.locator("#preview")).to_have_attribute("aria-live", "polite")

    page.keyboard.type(" " + "🚲" * 240)
    expect(bluesky.locator("[data-count]")).to_have_text("305 / 300 graphemes · 5 over")
    expect(bluesky.locator("[data-count]")).to_have_class("pv-count over")
    text.fill("Ride with @lena.bsky.social to the lake")
    expect(bluesky.locator("[data-count]")).to_have_text("39 / 300 graphemes")

    picture = tmp_path / "map.png"
    picture.write_bytes(png())
    page.get_by_label("Image for acme-bsky").set_input_files(str(picture))
    expect(page.locator("#thumb-acme-bsky")).to_be_visible()  # the chosen image, before it goes up
    alt = page.get_by_label("Alt text for acme-bsky")
    alt.fill("The lake route in orange on a map")
    alt.focus()
    page.keyboard.press("Tab")
    add = page.get_by_role("button", name="Add image to acme-bsky")
    expect(add).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(".messages")).to_contain_text("Image added; the draft is saved.")
    post = Post.objects.get()
    expect(page).to_have_url(f"/w/acme/posts/{post.pk}/edit/#images-acme-bsky")
    thumb = page.locator("#images-acme-bsky .thumbs img")
    expect(thumb).to_have_attribute("alt", "The lake route in orange on a map")
    expect(thumb).to_have_js_property("naturalWidth", 4)  # the image itself loaded
    expect(page.locator('#preview [data-channel="acme-bsky"] .pv-images img')).to_have_attribute("alt", "The lake route in orange on a map")

    # Enter in a one-line field saves the post; it never presses an image's Remove.
    page.get_by_label("Working title").fill("Lake ride")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Saved.")
    expect(page.get_by_role("heading", name="Lake ride")).to_be_visible()
    assert Media.objects.count() == 1
    page.get_by_role("link", name="Edit").click()

    remove = page.get_by_role("button", name="Remove image: The lake route in orange on a map")
    remove.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Image removed")
    expect(page.locator("#images-acme-bsky .thumbs img")).to_have_count(0)
    assert not Media.objects.exists()

    page.get_by_role("button", name="Publish now").click()
    expect(page.locator(".messages")).to_contain_text("Publishing now")
    expect(page.locator("header .badge")).to_have_text("Scheduled")
    expect(page.locator(".messages")).to_contain_text("acme-bsky is not connected")
    post.refresh_from_db()
    assert post.state == "scheduled"
