"""The listening page in a real browser (Debian's Chromium via Playwright): open it, narrow it
with the filters, correct an item's labels in one click each and see the item corrected in
place, without a reload and without a Content-Security-Policy violation, at desktop and phone
widths (screenshots in /tmp/shots/)."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils.timezone import now
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from strata.accounts.models import Membership, User, Workspace
from strata.accounts.roles import Role
from strata.engagement.models import HeardItem
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision
from tests.conftest import DEMO_PLAN, PASSWORD
from tests.test_browser import browser  # noqa: F401 - the shared Chromium fixture

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SHOTS = Path("/tmp/shots")
SAID = [
    ("cyclist.test", "Loving my new Acme bike on the canal path #acmebikes", "positive", ["praise"], ("brand-mentions",)),
    ("commuter.test", "Acme chain snapped on the way to work again. Warranty?", "negative", ["complaint", "question"], ("owner-trouble",)),
    ("shopper.test", "Does the Acme Metro come in a smaller frame? Thinking of buying one", "neutral", ["question"], ("brand-mentions",)),
    ("rival.fan", "Rapid Cycles just cut their prices, anyone tried them?", "neutral", ["question"], ("competitors",)),
    ("velo.de", "Mit dem Fahrrad zur Arbeit pendeln ist einfach besser", "positive", [], ("commuting-de",)),
    ("mallory.test", "<script>alert(1)</script> free bikes here", "neutral", ["spam"], ("brand-mentions",)),
]


def make_items(workspace: Workspace) -> HeardItem:
    """What ingest would have stored over four weeks; returns the complaint to correct."""
    complaint = None
    for n in range(42):
        handle, text, sentiment, intents, matched = SAID[n % len(SAID)]
        item = HeardItem(
            workspace=workspace,
            platform="mastodon" if n % 4 == 0 else "bluesky",
            remote_id=f"remote-{n}",
            kind="mention" if n % 5 == 0 else "post",
            author_id=f"id-{handle}",
            author_handle=handle,
            text=text,
            url="javascript:alert(2)" if handle == "mallory.test" else f"https://bsky.app/profile/{handle}/post/{n}",
            created_at=now() - dt.timedelta(days=n % 26, hours=n % 7),
            sentiment=sentiment,
            intents=intents,
            scores={sentiment: 0.81},
        )
        item.set_matched(list(matched))
        item.refresh_shown()
        item.save()
        if n == 1:
            complaint = item
    assert complaint is not None
    return complaint


@pytest.fixture
def world(live_server: Any, transactional_db: Any) -> tuple[Workspace, HeardItem]:
    user = User.objects.create_user("lead@acme.example", PASSWORD, name="Lena Lead")
    workspace, _ = import_plan(
        data=DEMO_PLAN.read_bytes(), filename="demo.yaml", workspace=None, slug="acme", author=user, source=PlanRevision.Source.DEMO
    )
    Membership.objects.get_or_create(user=user, workspace=workspace, defaults={"role": Role.OWNER})
    return workspace, make_items(workspace)


def signed_in(browser: Browser, live_server: Any, width: int, height: int, problems: list[str]) -> Any:  # noqa: F811
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height}, timezone_id="Europe/Berlin")
    page = context.new_page()

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/login/")
    page.get_by_label("Email").fill("lead@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your workspaces")).to_be_visible()
    return context, page


@pytest.fixture
def problems() -> list[str]:
    return []


@pytest.fixture
def desktop(browser: Browser, live_server: Any, world: Any, problems: list[str]) -> Iterator[Page]:  # noqa: F811
    context, page = signed_in(browser, live_server, 1280, 900, problems)
    yield page
    context.close()


def test_open_the_page_filter_it_and_correct_a_label_in_place(
    desktop: Page, world: tuple[Workspace, HeardItem], problems: list[str]
) -> None:
    page = desktop
    _, complaint = world
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto("/w/acme/")
    page.get_by_role("link", name="Listening", exact=True).click()
    expect(page.get_by_role("heading", name="Listening", exact=True)).to_be_visible()
    expect(page.locator("svg.chart rect")).to_have_count(28)
    expect(page.locator("#h-authors")).to_be_visible()
    expect(page.locator("article.heard")).to_have_count(25)
    # the hostile post is text, and its link goes nowhere
    hostile = page.locator("article.heard", has_text="free bikes here").first
    expect(hostile.locator(".heard-text")).to_have_text("<script>alert(1)</script> free bikes here")
    expect(hostile.get_by_role("link", name="Open on")).to_have_attribute("href", "#")
    expect(hostile.get_by_role("link", name="Open on")).to_have_attribute("rel", "nofollow noopener ugc")
    page.screenshot(path=str(SHOTS / "listening-1280.png"))
    page.screenshot(path=str(SHOTS / "listening-1280-full.png"), full_page=True)

    # a topic, then a filter: the results change in place and the address follows
    page.locator("nav.tabs").get_by_role("link", name="Brand", exact=True).click()
    expect(page).to_have_url(re.compile(r"/listening/brand/$"))
    page.evaluate("window.notReloaded = true")
    page.locator("#f-sentiment").select_option("negative")
    expect(page).to_have_url(re.compile(r"sentiment=negative"))
    expect(page.locator("article.heard")).to_have_count(7)
    expect(page.locator("article.heard", has_text="canal path")).to_have_count(0)

    # correct the complaint: one click for the sentiment, one for an intent
    item = page.locator(f"#heard-{complaint.pk}")
    item.get_by_role("group", name="Sentiment").get_by_role("button", name="neutral").click()
    item = page.locator(f"#heard-{complaint.pk}")
    expect(item.get_by_role("group", name="Sentiment").get_by_role("button", name="neutral")).to_have_attribute("aria-pressed", "true")
    expect(item.get_by_role("group", name="Sentiment").get_by_role("button", name="negative")).to_have_attribute("aria-pressed", "false")
    expect(item.locator(".corrected")).to_contain_text("Corrected by Lena Lead")
    expect(item.locator(".corrected")).to_have_attribute("title", "the model said: negative; complaint, question")
    item.get_by_role("group", name="Intents").get_by_role("button", name="question").click()
    expect(page.locator(f"#heard-{complaint.pk}").get_by_role("button", name="question")).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("window.notReloaded") is True
    page.locator(f"#heard-{complaint.pk}").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "listening-corrected-1280.png"))
    complaint.refresh_from_db()
    assert (complaint.corrected_sentiment, complaint.corrected_intents) == ("neutral", ["complaint"])

    # the counts follow the correction on the next look
    page.reload()
    expect(page.locator(f"#heard-{complaint.pk}")).to_have_count(0)  # no longer negative
    assert not problems, problems


def test_the_page_at_phone_width(browser: Browser, live_server: Any, world: Any, problems: list[str]) -> None:  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page = signed_in(browser, live_server, 390, 844, problems)
    page.goto("/w/acme/listening/")
    expect(page.locator("svg.chart rect")).to_have_count(28)
    # nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "listening-390.png"))
    page.locator("#h-sentiment").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "listening-390-counts.png"))
    page.locator("article.heard").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "listening-390-item.png"))
    page.locator("article.heard").first.get_by_role("button", name="positive").click()
    expect(page.locator("article.heard").first.locator(".corrected")).to_be_visible()
    assert not problems, problems
    context.close()
