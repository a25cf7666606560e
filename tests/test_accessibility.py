"""Every main page, at 1280 px and on a 390 px phone, checked by axe-core (tests/servers/axe,
from npm) in Chromium: no serious or critical violation of WCAG 2.x A and AA rules. The phone
menu folds the navigation behind one button, and nothing makes the page scroll sideways."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from strata.accounts.models import Membership, User, Workspace
from strata.accounts.roles import Role
from strata.analytics.kpis.values import today_of
from strata.analytics.reports.months import last_finished_month, month_text
from strata.engagement.models import Conversation
from strata.publishing.models import Post
from strata.strategy.actions import import_plan
from strata.strategy.management.commands.demo import demo_conversations, demo_posts
from strata.strategy.models import PlanRevision
from tests.conftest import DEMO_PLAN, PASSWORD, ROOT
from tests.test_browser import browser  # noqa: F401 - the shared Chromium fixture

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = ROOT / "tests" / "servers" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [
    "/",
    "/w/acme/",
    "/w/acme/review/",
    "/w/acme/map/",
    "/w/acme/calendar/",
    "/w/acme/calendar/?view=week",
    "/w/acme/posts/new/",
    "/w/acme/posts/",
    "post",
    "/w/acme/channels/",
    "/w/acme/posts.csv/",
    "/w/acme/listening/",
    "/w/acme/inbox/",
    "conversation",
    "/w/acme/inbox/calendar/",
    "/w/acme/inbox/figures/",
    "/w/acme/ambassadors/",
    "/w/acme/links/",
    "/w/acme/results/",
    "/w/acme/reports/",
    "report",
    "/w/acme/imports/",
    "/w/acme/proposals/",
    "/w/acme/plan/objectives/",
    "/w/acme/plan/channels/new/",
    "/w/acme/settings/mix/",
    "/w/acme/settings/governance/",
    "/w/acme/file/",
    "/w/acme/history/",
    "/w/acme/members/",
    "/account/tokens/",
]


@pytest.fixture
def demo(transactional_db: Any) -> Workspace:
    owner = User.objects.create_user("lead@acme.example", PASSWORD, name="Lead")
    workspace, _ = import_plan(
        data=DEMO_PLAN.read_bytes(), filename="demo.yaml", workspace=None, slug="acme", author=owner, source=PlanRevision.Source.IMPORT
    )
    assert Membership.objects.get(user=owner, workspace=workspace).role == Role.OWNER
    demo_posts(workspace, owner)
    demo_conversations(workspace)
    return workspace


@contextmanager
def signed_in(browser: Browser, live_server: Any, width: int) -> Iterator[Page]:  # noqa: F811
    # axe is added to each page as a script of its own; the Content-Security-Policy (tested in
    # tests/security/test_browser_csp.py) would refuse it, so this context bypasses it.
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill("lead@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your workspaces")).to_be_visible()
    yield page
    context.close()


def violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
            return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`);
        }"""
    )
    return list(found)


@pytest.mark.parametrize("width", [1280, 390])
def test_no_page_has_a_serious_accessibility_violation(browser: Browser, live_server: Any, demo: Workspace, width: int) -> None:  # noqa: F811
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: ./dev test installs it (npm ci in tests/servers/axe)")
    post = Post.objects.filter(workspace=demo).order_by("pk").first()
    conversation = Conversation.objects.filter(workspace=demo).order_by("pk").first()
    assert post is not None
    assert conversation is not None
    found: dict[str, list[str]] = {}
    wide: dict[str, int] = {}
    with signed_in(browser, live_server, width) as page:
        for path in PAGES:
            path = f"/w/acme/posts/{post.pk}/" if path == "post" else path
            path = f"/w/acme/inbox/{conversation.pk}/" if path == "conversation" else path
            path = f"/w/acme/reports/monthly/{month_text(last_finished_month(today_of(demo)))}/" if path == "report" else path
            page.goto(path)
            found[path] = violations(page)
            scroll = int(page.evaluate("document.documentElement.scrollWidth"))
            if scroll > width:
                wide[path] = scroll
    bad = [f"{path}: {v}" for path, found_there in found.items() for v in found_there]
    assert not bad, "\n".join(bad)
    assert wide == {}, "pages wider than the screen (they scroll sideways)"


def test_on_a_phone_the_menu_folds_behind_one_button(browser: Browser, live_server: Any, demo: Workspace) -> None:  # noqa: F811
    with signed_in(browser, live_server, 390) as page:
        page.goto("/w/acme/calendar/")
        calendar_link = page.get_by_role("link", name="Calendar", exact=True)
        menu = page.get_by_role("button", name="Menu")
        expect(calendar_link).to_be_hidden()
        expect(page.get_by_role("heading", name=re.compile("calendar", re.I)).first).to_be_in_viewport()
        menu.click()
        expect(calendar_link).to_be_visible()
        expect(page.get_by_role("button", name="Close menu")).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("Escape")
        expect(calendar_link).to_be_hidden()
        expect(page.get_by_role("button", name="Menu")).to_be_focused()
        # One "Channels" in the navigation: the plan's channels; the accounts are "Connections".
        menu.click()
        expect(page.locator("#site-nav").get_by_role("link", name="Channels", exact=True)).to_have_count(1)
        page.set_viewport_size({"width": 1280, "height": 900})
        expect(menu).to_be_hidden()
        expect(calendar_link).to_be_visible()


def test_without_javascript_every_link_stays_in_view(browser: Browser, live_server: Any, demo: Workspace) -> None:  # noqa: F811
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill("lead@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/w/acme/calendar/")
    expect(page.get_by_role("link", name="Calendar", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    context.close()


def tab_to(page: Page, selector: str, *, limit: int = 60) -> None:
    """Press Tab until the focus is on an element matching `selector`, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was not reached by {limit} presses of Tab")


def test_the_review_is_worked_by_keyboard_alone(browser: Browser, live_server: Any, demo: Workspace) -> None:  # noqa: F811
    with signed_in(browser, live_server, 1280) as page:
        page.goto("/w/acme/review/?code=objective.no_owner")
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
        page.keyboard.press("Enter")
        tab_to(page, "a.finding-message")
        expect(page.locator(":focus")).to_contain_text("deflect-support")
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/plan/objectives/deflect-support/"))
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")  # skip to content
        tab_to(page, "#f-owner")
        page.keyboard.press("ArrowDown")  # the first person after "none"
        tab_to(page, "button[type=submit]")
        expect(page.locator(":focus")).to_have_text(re.compile("^Save"))
        page.keyboard.press("Enter")
        expect(page.locator(".messages")).to_contain_text("Saved")
        page.goto("/w/acme/review/?code=objective.no_owner")
        expect(page.locator("#findings")).not_to_contain_text("deflect-support")
